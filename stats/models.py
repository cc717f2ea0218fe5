"""The statistics' rollups: the counts the page reads, rebuilt from the live tables by
stats.rollups.statistics_refresh (a periodic task, and on demand) so that the page costs a few
small GROUP BYs whatever the number of files. They hold no personal data: dates, codes, counts."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from territories.models import Region, Territory


class CohortCount(models.Model):
    """Submitted files by the local day they were submitted, profile kind, the furthest funnel
    step reached (stats.tables.FUNNEL_STEPS), and region: one set of rows with `region` empty
    counting every file once, and one row per region of the file's target territories (a file
    with targets in two regions counts once in each)."""

    day = models.DateField()
    profile_kind = models.CharField(max_length=20, blank=True)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, related_name="+")
    level = models.PositiveSmallIntegerField()
    n = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("effectif par jour d'inscription")
        verbose_name_plural = _("effectifs par jour d'inscription")
        indexes = [models.Index(fields=["region", "day"], name="stats_cohort_region_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.profile_kind or '-'} {self.region_id or '*'} {self.level}: {self.n}"


class ReferralFact(models.Model):
    """One row per referral that reached a territory: its local day of sending, territory and
    region, the person's profile kind, its status, decline reason and answer time. Narrow and
    without joins, so that the acceptance tables and their medians read only this."""

    day = models.DateField()
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    profile_kind = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20)
    decline_category = models.CharField(max_length=40, blank=True)
    answer_time = models.DurationField(null=True)  # answered_at - sent_at, when accepted or declined

    class Meta:
        verbose_name = _("orientation (statistiques)")
        verbose_name_plural = _("orientations (statistiques)")
        indexes = [models.Index(fields=["day"], name="stats_referral_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.territory_id} {self.status}"


class Refresh(models.Model):
    """When the rollups were last rebuilt (one row), shown on the page as the figures' date."""

    refreshed_at = models.DateTimeField(null=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("mise à jour des statistiques")
        verbose_name_plural = _("mises à jour des statistiques")

    def __str__(self) -> str:
        return f"{self.refreshed_at} ({self.duration_ms} ms)"
