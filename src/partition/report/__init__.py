"""What people read: maps, the consultation pack, GIS exports, need in words, notebook helpers, the batch page."""
