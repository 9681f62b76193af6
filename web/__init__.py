"""The website chat widget: build (``python -m web.build``) and demo server (``python -m web.serve``)."""
