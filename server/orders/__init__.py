"""Orders from the OMS: acceptance with allocation, cancellation, and their public view."""
