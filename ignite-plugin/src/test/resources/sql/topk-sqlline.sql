-- vecgrid through sqlline: run with scripts/sqlline.sh -f <this file> against a cluster that holds the
-- collection 'docs' (dimension 4, scalar field cat) of docs/sql.md. The test SqllineTest runs it in-process.
!set outputformat csv
!set showHeader true
-- The table: primary key, scalar fields, the vector as text.
SELECT ID, CAT, VECTOR_OF('docs', ID) AS V FROM DOCS WHERE ID = 3;
-- Exact distance, ORDER BY ... LIMIT (a scan: fine for small tables).
SELECT ID, L2_DISTANCE(VECTOR_OF('docs', ID), '[3, 0, 0, 0]') AS D FROM DOCS ORDER BY D LIMIT 3;
-- Router-backed top-k (H2): one search, rows fetched by primary key.
SELECT a.ID, a.CAT, t.DIST FROM TABLE(ID BIGINT = TOPK_IDS('docs', '[3, 0, 0, 0]', 3, 'cat >= 0', 0), DIST DOUBLE = TOPK_DISTS('docs', '[3, 0, 0, 0]', 3, 'cat >= 0', 0)) t JOIN DOCS a ON a.ID = t.ID ORDER BY t.DIST;
