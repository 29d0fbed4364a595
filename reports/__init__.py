"""Report rendering: Jinja2 templates and the small renderer that fills them."""
