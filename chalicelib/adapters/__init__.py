"""Adapters around third-party libraries the domain must not import: the domain keeps the rules
and the plain data, an adapter turns that data into a library's format."""
