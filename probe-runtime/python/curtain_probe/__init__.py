"""Curtain's Python probe: the same ProbeResponse as the Node probe (contract 3), standard library only.

Entry points: probe.py (AWS Lambda `handler(event, context)`, `python3 probe.py --shim` for the local
platform) and main.py (Google Cloud Functions `probe(request)`).
"""
