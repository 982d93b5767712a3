"""The pictures and pages the scripts write: sheets, timelines and heat maps (drawing), the HTML pages (pages)."""
