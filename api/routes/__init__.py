"""HTTP routers; :mod:`api.app` includes each of them."""
