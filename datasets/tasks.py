"""Background work of the datasets app (Django Tasks API; see TASKS in settings)."""

from django_tasks import task


@task()
def export_dataset_task(job_id: int) -> int:
    """Write the file of an ExportJob; returns the number of rows written."""
    from datasets.services import export_job_run

    return export_job_run(job_id=job_id).rows_done
