"""Batch printing: every sheet of a department as one PDF or a zip of PDFs, rendered by task workers."""
