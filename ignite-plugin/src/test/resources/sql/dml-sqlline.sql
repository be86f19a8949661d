-- vecgrid writes through sqlline: run with scripts/sqlline.sh -f <this file> against a cluster that holds the
-- collection 'notes' (dimension 2, FLAT, scalar field tag LONG). SqllineTest runs it in-process and SqllineScriptIT through
-- scripts/sqlline.sh against a node process; both check
-- the collection against what these statements must leave. Every statement goes through vecgrid's write path.
!set outputformat csv
!set showHeader true
INSERT INTO NOTES (ID, TAG, VECTOR) VALUES (1, 10, '[1, 0]'), (2, 20, '[2, 0]'), (3, 30, '[3, 0]'), (4, 40, '[4, 0]');
MERGE INTO NOTES (ID, TAG, VECTOR) VALUES (2, 21, '[2, 1]'), (5, 50, '[5, 0]');
UPDATE NOTES SET TAG = TAG + 1 WHERE ID >= 4;
UPDATE NOTES SET VECTOR = '[9, 9]' WHERE ID = 3;
DELETE FROM NOTES WHERE TAG = 10;
SELECT ID, TAG, VECTOR_OF('notes', ID) AS V FROM NOTES ORDER BY ID;
SELECT a.ID, a.TAG, t.DIST FROM TABLE(ID BIGINT = TOPK_IDS('notes', '[9, 9]', 1, '', 0), DIST DOUBLE = TOPK_DISTS('notes', '[9, 9]', 1, '', 0)) t JOIN NOTES a ON a.ID = t.ID;
-- Refused: the API's message reaches sqlline, nothing is written.
INSERT INTO NOTES (ID, VECTOR) VALUES (6, '[1, 2, 3]');
