"""The window's pages, one per area of work (nationals, requests, hotels, overview)."""
