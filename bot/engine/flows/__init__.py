"""One module per customer flow; each step is a small function that sets the next step."""
