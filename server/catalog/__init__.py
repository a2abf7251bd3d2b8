"""The catalogue: products, their barcodes and the site's locations."""
