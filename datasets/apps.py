from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "datasets"
    verbose_name = "データセット（Excel・CSV）"

    def ready(self):
        # Every workbook an import opens is parsed by openpyxl; make sure its XML parser is the
        # defused one (no entity expansion, no external entities) before any upload is read.
        from datasets.safety import ensure_defused_xml

        ensure_defused_xml()
