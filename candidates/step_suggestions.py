"""Step 4's "Suggérez-moi des territoires": the territories ranked from the answers on the page,
saved or not (candidates.suggestions). Nothing is stored: "Ajouter à mes choix" puts a suggested
territory in the form's first free choice, kept when the person saves the step."""

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from territories.models import Territory

from .choices import HousingNeed
from .forms import ProjectForm
from .models import Candidate
from .suggestions import Profile

SUGGEST = "suggest"
ADD_SUGGESTED = "add_suggested"


def asks_for_suggestions(request: HttpRequest) -> bool:
    return request.method == "POST" and (SUGGEST in request.POST or ADD_SUGGESTED in request.POST)


def project_form_with_suggestions(request: HttpRequest, candidate: Candidate) -> tuple[ProjectForm, Profile]:
    """The step's form showing the posted answers again (unsaved, with the suggested territory
    added when asked), and the profile read from those answers."""
    answers = {name: request.POST.get(name, "") for name in ProjectForm.base_fields}
    answers["targets_undecided"] = "targets_undecided" in request.POST
    if request.POST.get(ADD_SUGGESTED):
        _add_to_first_free_choice(request, answers, request.POST[ADD_SUGGESTED])
    children = answers["children_count"].strip()
    housing = answers["housing_need"]
    profile = Profile.of(
        candidate,
        children_count=int(children) if children.isdigit() and int(children) <= 20 else None,
        housing_need=housing if housing in HousingNeed.values else "",
        interests=answers["interests"][:2000],
    )
    return ProjectForm(candidate=candidate, answers=answers), profile


def _add_to_first_free_choice(request: HttpRequest, answers: dict, value: str) -> None:
    territory = Territory.objects.active().filter(pk=value).first() if value.isdigit() else None
    if territory is None:
        messages.error(request, _("Ce territoire n'accueille plus de nouveaux dossiers."))
        return
    fields = ProjectForm.base_fields
    if str(territory.pk) in (answers[name] for name in ProjectForm.TARGET_FIELDS):
        messages.info(request, _("%(territory)s est déjà dans vos choix.") % {"territory": territory.name})
        return
    free = [name for name in ProjectForm.TARGET_FIELDS if not answers[name]]
    if not free:
        messages.warning(
            request,
            _("Vos trois choix sont pris : remplacez-en un par %(territory)s, puis enregistrez.")
            % {"territory": territory.name},
        )
        return
    answers[free[0]] = str(territory.pk)
    answers["targets_undecided"] = False
    messages.success(
        request,
        _("%(territory)s ajouté : %(choice)s. Enregistrez pour garder ce choix.")
        % {"territory": territory.name, "choice": fields[free[0]].label},
    )
