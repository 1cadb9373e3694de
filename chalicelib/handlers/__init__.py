"""One Chalice Blueprint per area: HTTP in, HTTP out, thin."""
