"""Built-in Jinja templates, shipped inside the wheel as digest.templates."""
