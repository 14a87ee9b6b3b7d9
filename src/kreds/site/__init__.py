"""The site as a whole: the front door and the navigation across domains (the top layer: it may import any app,
nothing imports it except the URLconf and settings)."""
