"""Territory suggestions: a plain scoring of the territories against a person's answers.

Québec's Law 25 (s. 8.1) asks that a function which profiles a person be off by default and that
the person be told how to turn it on. So nothing here runs unless the person (or their counsellor)
asks for it on a page, and nothing is stored: the ranking is computed for the page and forgotten.
A territory is kept only when the person adds it to their list (candidate_add_target, or the
registration form's own choices).

The score is a sum of points, each with the sentence that explains it, so a suggestion always
says why it is there. The territories' texts are the directory's (Territory.employment_fr/en,
daycare_*, housing_*, outdoors_*, culture_*, english_services_*), read in both languages:

- work: 3 points per sector of the person's occupation field that the territory lists among the
  sectors that hire (two sectors at most);
- children: 2 points when the person comes with children and the territory describes its daycare
  services, 1 when it warns that places are scarce (the warning is shown);
- housing: 2 points when the territory's housing text answers the person's need (homes for sale or
  affordable houses to buy; vacant or new apartments, or help to find a first place, to rent);
  a tight market is shown as a warning and adds nothing;
- interests: 1 point when the person names outdoor activities (or culture) and the territory
  describes them, plus 1 per activity named on both sides (two at most), for each of the two;
- language: 2 points for an English speaker when the territory describes services in English.

Territories with no point are left out; ties go to the territory with more reasons, then by name.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Language
from territories.models import Territory, in_current_language

from .choices import HousingNeed, LanguageLevel
from .models import Candidate

LIMIT = 5
WORK_POINTS, MAX_SECTORS = 3, 2
CHILDREN_POINTS = 2
HOUSING_POINTS = 2
INTEREST_POINTS, MAX_SHARED_ACTIVITIES = 1, 2
ENGLISH_POINTS = 2
QUOTE_CHARS = 110


def fold(text: str) -> str:
    """Lower case, without accents: "Santé" and "sante" are the same word."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def _words(*stems: str) -> re.Pattern:
    """Match any of `stems` at the start of a word (stems are folded, may hold a space)."""
    return re.compile(r"\b(?:" + "|".join(re.escape(stem) for stem in stems) + ")")


SECTOR_WORDS = {
    "health": _words(
        "sante",
        "soins",
        "infirmi",
        "medec",
        "pharmac",
        "hopita",
        "hospital",
        "health",
        "nurs",
        "medic",
        "services sociaux",
        "social serv",
        "travail social",
        "social work",
        "prepose",
        "physiotherap",
    ),
    "education": _words("enseign", "educat", "teach", "professeur", "cegep", "universit", "ecole", "school"),
    "manufacturing": _words(
        "fabrica",
        "manufactur",
        "usine",
        "factory",
        "metal",
        "soud",
        "weld",
        "machin",
        "meuble",
        "furniture",
        "mecani",
        "mechanic",
    ),
    "mining": _words("mine", "minier", "miniere", "mining", "metallurg", "geolog"),
    "forestry": _words("forest", "foresterie", "sylvicult", "bois", "wood", "lumber"),
    "agri_food": _words(
        "agricult", "agroalim", "agri-food", "agrifood", "ferme", "farm", "elevage", "alimentaire", "food", "horticult"
    ),
    "engineering": _words("genie", "ingenie", "engineer"),
    "it": _words(
        "informati",
        "logiciel",
        "software",
        "programmeu",
        "programmer",
        "programming",
        "developpeu",
        "developer",
        "numerique",
        "digital",
        "technologies de l",
        "information technolog",
    ),
    "construction": _words(
        "construction", "batiment", "building", "electricien", "electrician", "plomb", "plumb", "charpent", "carpent"
    ),
    "transport": _words("transport", "camion", "truck", "logisti", "chauffeur", "driver"),
    "tourism": _words("touris", "hotel", "hebergement", "hospitality", "restaura", "cuisin", "cook", "chef"),
    "retail": _words("commerce", "retail", "vente", "sales", "magasin", "store"),
    "marine": _words("marin", "maritim", "ocean", "halieut", "peches", "pecheries", "fisher", "aquacult"),
    "office": _words("comptab", "account", "financ", "administ", "bureau", "office", "banque", "bank"),
}


def sector_names() -> dict[str, str]:
    """Each sector's name in the reader's language, for the reasons."""
    return {
        "health": _("la santé"),
        "education": _("l'enseignement"),
        "manufacturing": _("la fabrication"),
        "mining": _("les mines"),
        "forestry": _("la foresterie"),
        "agri_food": _("l'agriculture et l'agroalimentaire"),
        "engineering": _("le génie"),
        "it": _("l'informatique"),
        "construction": _("la construction"),
        "transport": _("le transport"),
        "tourism": _("le tourisme et la restauration"),
        "retail": _("le commerce"),
        "marine": _("les sciences de la mer et les pêches"),
        "office": _("l'administration et la finance"),
    }


OUTDOOR_ACTIVITIES = {
    name: _words(*stems)
    for name, stems in {
        "hiking": ("randonn", "hiking", "hike", "sentier", "trail", "marche en"),
        "skiing": ("ski",),
        "cycling": ("velo", "bike", "biking", "cycl"),
        "paddling": ("kayak", "canot", "canoe", "paddle", "planche a pagaie"),
        "fishing": ("peche", "fishing", "fish"),
        "hunting": ("chasse", "hunting"),
        "snowmobile": ("motoneige", "snowmobil", "quad"),
        "camping": ("camping",),
        "climbing": ("escalade", "climbing"),
        "swimming": ("baignade", "nage", "swim", "plage", "beach"),
        "nature": (
            "plein air",
            "outdoor",
            "nature",
            "parc",
            "park",
            "lac",
            "lake",
            "montagne",
            "mountain",
            "foret",
            "forest",
            "riviere",
            "river",
            "fleuve",
        ),
    }.items()
}
CULTURE_ACTIVITIES = {
    name: _words(*stems)
    for name, stems in {
        "music": ("musique", "music", "concert", "chorale", "choir"),
        "theatre": ("theatre", "theater", "spectacle", "show"),
        "film": ("cinema", "film", "movie"),
        "festivals": ("festival",),
        "museums": ("musee", "museum", "patrimoine", "heritage", "histoire", "history"),
        "arts": ("art", "peinture", "painting", "photo", "danse", "dance", "artisan", "craft"),
        "books": ("lecture", "reading", "livre", "book", "biblioth", "librar"),
        "culture": ("culture", "culturel", "cultural"),
    }.items()
}
SCARCE = _words(
    "liste d'attente",
    "listes d'attente",
    "waiting list",
    "limite",
    "limited",
    "peu de",
    "few ",
    "penurie",
    "shortage",
    "serre",
    "tight",
    "rare",
)
TO_BUY = _words("achat", "acheter", "a vendre", "for sale", "abordable", "affordable", "maison", "house", "homes")
TO_RENT = _words(
    "logements neufs",
    "logements disponibles",
    "new apartment",
    "apartments available",
    "vacant",
    "disponible",
    "available",
    "aide a trouver",
    "vous aide",
    "helps you find",
    "premier toit",
    "first place",
    "logement temporaire",
    "temporary",
)


@dataclass(frozen=True)
class Profile:
    """The answers the scoring reads, and nothing else."""

    occupation_field: str = ""
    children_count: int | None = None
    housing_need: str = ""
    interests: str = ""
    english_speaker: bool = False

    @classmethod
    def of(cls, candidate: Candidate, **answers) -> "Profile":
        """From the saved file; `answers` (step 4's unsaved ones) take precedence."""
        english = candidate.language == Language.EN or (
            candidate.english_level in (LanguageLevel.ADVANCED, LanguageLevel.FLUENT)
            and candidate.french_level in (LanguageLevel.NONE, LanguageLevel.BEGINNER)
        )
        values = {
            "occupation_field": candidate.occupation_field,
            "children_count": candidate.children_count,
            "housing_need": candidate.housing_need,
            "interests": candidate.interests,
            "english_speaker": english,
        }
        values.update(answers)
        return cls(**values)

    def missing(self) -> list[str]:
        """What the person could answer for better suggestions, in plain words."""
        missing = []
        if not self.occupation_field.strip():
            missing.append(_("votre domaine professionnel (étape « Travail »)"))
        if self.housing_need in ("", HousingNeed.UNKNOWN):
            missing.append(_("votre besoin de logement"))
        if not self.interests.strip():
            missing.append(_("vos intérêts et loisirs"))
        return missing


@dataclass
class Suggestion:
    territory: Territory
    score: int = 0
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _text(territory: Territory, name: str) -> str:
    """Both languages of one of the territory's texts, folded, for matching."""
    return fold(f"{getattr(territory, f'{name}_fr')} \n {getattr(territory, f'{name}_en')}")


def _quote(territory: Territory, name: str) -> str:
    return Truncator(in_current_language(territory, name).strip()).chars(QUOTE_CHARS)


def _activities(vocabulary: dict[str, re.Pattern], text: str) -> set[str]:
    return {name for name, words in vocabulary.items() if words.search(text)}


def person_sectors(occupation_field: str) -> list[str]:
    text = fold(occupation_field)
    return [code for code, words in SECTOR_WORDS.items() if words.search(text)]


def score(profile: Profile, territory: Territory) -> Suggestion:
    """The points one territory earns for one profile, each with its reason (see the module)."""
    suggestion = Suggestion(territory)
    employment = _text(territory, "employment")
    shared = [code for code in person_sectors(profile.occupation_field) if SECTOR_WORDS[code].search(employment)]
    if shared:
        shared = shared[:MAX_SECTORS]
        suggestion.score += WORK_POINTS * len(shared)
        suggestion.reasons.append(
            _("Votre domaine, %(sectors)s, fait partie des secteurs qui embauchent ici : « %(quote)s »")
            % {
                "sectors": _(" et ").join(sector_names()[code] for code in shared),
                "quote": _quote(territory, "employment"),
            }
        )
    if profile.children_count:
        daycare = _text(territory, "daycare")
        if daycare.strip():
            scarce = bool(SCARCE.search(daycare))
            suggestion.score += CHILDREN_POINTS - (1 if scarce else 0)
            suggestion.reasons.append(
                ngettext(
                    "Vous venez avec un enfant, et le territoire décrit ses services de garde : « %(quote)s »",
                    "Vous venez avec %(count)d enfants, et le territoire décrit ses services de garde : « %(quote)s »",
                    profile.children_count,
                )
                % {"count": profile.children_count, "quote": _quote(territory, "daycare")}
            )
            if scarce:
                suggestion.warnings.append(_("Les places en garderie sont limitées : inscrivez vos enfants tôt."))
    _score_housing(profile, territory, suggestion)
    _score_interests(profile, territory, suggestion)
    if profile.english_speaker:
        english = _text(territory, "english_services")
        if english.strip():
            suggestion.score += ENGLISH_POINTS
            suggestion.reasons.append(
                _("Vous parlez surtout anglais, et le territoire offre des services en anglais : « %(quote)s »")
                % {"quote": _quote(territory, "english_services")}
            )
    return suggestion


def _score_housing(profile: Profile, territory: Territory, suggestion: Suggestion) -> None:
    housing = _text(territory, "housing")
    if not housing.strip() or profile.housing_need not in (HousingNeed.BUY, HousingNeed.RENT, HousingNeed.TEMPORARY):
        return
    wanted = TO_BUY if profile.housing_need == HousingNeed.BUY else TO_RENT
    if wanted.search(housing):
        suggestion.score += HOUSING_POINTS
        reason = (
            _("Vous voulez acheter : « %(quote)s »")
            if profile.housing_need == HousingNeed.BUY
            else _("Vous cherchez un logement : « %(quote)s »")
        )
        suggestion.reasons.append(reason % {"quote": _quote(territory, "housing")})
    if profile.housing_need != HousingNeed.BUY and SCARCE.search(housing):
        suggestion.warnings.append(_("Le marché locatif est serré : commencez vos recherches tôt."))


def _score_interests(profile: Profile, territory: Territory, suggestion: Suggestion) -> None:
    interests = fold(profile.interests)
    if not interests.strip():
        return
    kinds = (
        ("outdoors", OUTDOOR_ACTIVITIES, _("Vous aimez le plein air : « %(quote)s »")),
        ("culture", CULTURE_ACTIVITIES, _("Vous aimez la culture : « %(quote)s »")),
    )
    for name, vocabulary, sentence in kinds:
        liked = _activities(vocabulary, interests)
        offered = _text(territory, name)
        if not liked or not offered.strip():
            continue
        shared = liked & _activities(vocabulary, offered)
        suggestion.score += INTEREST_POINTS + min(len(shared), MAX_SHARED_ACTIVITIES)
        suggestion.reasons.append(sentence % {"quote": _quote(territory, name)})


def suggest_territories(profile: Profile, territories: Iterable[Territory] | None = None, *, limit: int = LIMIT):
    """The `limit` best territories for `profile`, best first; territories with no point are left
    out. Reads the active territories (one query) unless given them."""
    if territories is None:
        territories = Territory.objects.active().select_related("region").order_by("name")
    ranked = [suggestion for suggestion in (score(profile, t) for t in territories) if suggestion.score > 0]
    ranked.sort(key=lambda s: (-s.score, -len(s.reasons), s.territory.name))
    return ranked[:limit]
