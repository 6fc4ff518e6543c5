"""The differential conformance run: the same bytes through the reference Node and nodehttp.

Run it with ``python -m conformance``; see ``conformance/README.md``.
"""
