from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentVersion(models.Model):
    """One row whose token changes after every committed write to the data the sheets print.

    Rendered sheet bodies are cached under the token (``sheets/content_version.py``): a new token
    makes every earlier entry unreachable, in every process and on every machine sharing the
    database. The token is random rather than a counter so that a flushed and re-created row never
    repeats a token an old cache entry was stored under.
    """

    token = models.BigIntegerField(_("版"))

    class Meta:
        verbose_name = verbose_name_plural = _("データの版")

    def __str__(self):
        return str(self.token)
