"""``python -m nodehttp.asgi module:app --host 127.0.0.1 --port 8000``."""

from __future__ import annotations

import sys

from ._serve import main

if __name__ == "__main__":
    sys.exit(main())
