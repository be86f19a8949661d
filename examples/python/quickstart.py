"""vecgrid through SQL with the Apache Ignite Python thin client (pyignite): create a collection, insert rows,
search them, drop the collection. Start a cluster first (scripts/start-cluster.sh 2), then:

    pip install pyignite
    python3 quickstart.py --endpoints 127.0.0.1:10800,127.0.0.1:10801

Every statement is plain SQL (docs/sql.md); pyignite has no compute, so SQL is its only way in.
"""
import argparse

from pyignite import Client


def sql(client, query, *args):
    with client.sql(query, query_args=list(args), schema='VECGRID', include_field_names=True) as cursor:
        names = next(cursor)
        return [dict(zip(names, row)) for row in cursor]


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--endpoints', default='127.0.0.1:10800')
    p.add_argument('--collection', default='pydocs')
    p.add_argument('--user')
    p.add_argument('--password')
    o = p.parse_args()
    endpoints = [(h, int(port)) for h, port in (e.rsplit(':', 1) for e in o.endpoints.split(','))]
    # Given credentials pyignite turns TLS on unless told not to; this example speaks plain TCP, so it reaches a cluster
    # with authentication but without TLS (config/secure-config.xml has TLS: see docs/clients.md, TLS for clients).
    client = Client(username=o.user, password=o.password, use_ssl=False) if o.user else Client()
    with client.connect(endpoints):
        c, t = o.collection, o.collection.upper()
        print(sql(client, "SELECT VECGRID_CREATE_COLLECTION(?, 2, 'L2', 'FLAT', 'tag:LONG', 1, 1) AS D", c)[0]['D'])
        print(sql(client, f"INSERT INTO {t} (ID, TAG, VECTOR) VALUES (1, 10, '[1, 0]'), (2, 20, '[2, 0]'), "
                          "(3, 30, '[9, 9]')"))
        for row in sql(client, f"SELECT * FROM VECGRID_SEARCH('{c}', ?, 2)", '[9, 9]'):
            print(row)  # {'ID': 3, 'DISTANCE': 0.0, 'TAG': 30}, then pk 2
        print(sql(client, "SELECT VECGRID_DROP_COLLECTION(?) AS D", c)[0]['D'])


if __name__ == '__main__':
    main()
