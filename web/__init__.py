"""The reviewers' web page: a small server-rendered FastAPI app (``web.app.create_app``)."""
