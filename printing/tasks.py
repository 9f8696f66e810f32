"""Background work of the printing app (Django Tasks API; see TASKS in settings)."""

from django_tasks import task


@task()
def render_print_chunk(job_id: int, chunk: int) -> int:
    """Render one chunk of a PrintJob; the worker finishing the last chunk assembles the file."""
    from printing.services import print_chunk_run

    return print_chunk_run(job_id=job_id, chunk=chunk)
