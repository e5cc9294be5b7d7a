"""The baseline of ``http_bench.py``: a bare Flask JSON endpoint answering 20 items.

Served by the same gunicorn with the same settings as the platform, so that the ratio of an
endpoint's throughput to this one's is the cost of the platform's own work.
"""

from flask import Flask, jsonify

app = Flask(__name__)
ITEMS = [
    {"id": number, "title": f"志愿服务活动{number}", "starts_at": "2026-12-15T08:00:00+08:00"}
    for number in range(1, 21)
]


@app.get("/bare")
def bare():
    """Twenty small items, as a list endpoint's page would carry."""
    return jsonify({"data": ITEMS, "pagination": {"page": 1, "per_page": 20, "total": 20}})
