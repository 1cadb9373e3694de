"""Request and response models (pydantic), one module per area.

They are imported on a route's first use, not at cold start: routes name their models as strings
resolved in the area's schemas module (see web/api.py), so that a Lambda container does not build
pydantic's machinery for every model of the app before it serves its first request."""
