"""The words of the consents given before they were stored: the first versions (2026-11), in
French and English as the pages showed them, each row pointing to the version it names, in its
file's language. The first sharing wording covered the summary and the CV only."""

from django.db import migrations

FIRST_VERSIONS = {
    ("coaching", "2026-11-coaching-v1"): {
        "fr-ca": (
            "Emplois en régions peut conserver et utiliser mon dossier pour m'accompagner.",
            "Obligatoire pour continuer : sans ce consentement, Emplois en régions ne peut pas traiter votre "
            "inscription. Seul·e·s les conseiller·ère·s d'Emplois en régions voient votre dossier.",
        ),
        "en": (
            "Emplois en régions may keep and use my file to support me.",
            "Required to continue: without this consent, Emplois en régions cannot process your registration. "
            "Only Emplois en régions counsellors can see your file.",
        ),
    },
    ("sharing", "2026-11-sharing-v1"): {
        "fr-ca": (
            "Mon résumé et mon CV peuvent être transmis aux agent·e·s Place aux jeunes de mes territoires visés.",
            "Facultatif pour l'instant. Ce consentement sera nécessaire avant que votre conseiller·ère vous oriente "
            "vers un territoire. Vous pourrez le donner plus tard dans « Mon dossier ».",
        ),
        "en": (
            "My file summary and my CV may be sent to the Place aux jeunes agents of my target territories.",
            "Optional for now. You will need to give this consent before your counsellor can refer you to a "
            "territory. You can give it later in “My file”.",
        ),
    },
    ("news", "2026-11-news-v1"): {
        "fr-ca": (
            "Je veux recevoir les nouvelles de Place aux jeunes en région.",
            "Facultatif. Des courriels sur les activités et les régions ; vous pouvez vous désabonner.",
        ),
        "en": (
            "I want to receive news from Place aux jeunes en région.",
            "Optional. Emails about activities and the regions. You can unsubscribe.",
        ),
    },
}
COVERS = {"sharing": ["summary", "cv"]}


def forwards(apps, schema_editor):
    ConsentText = apps.get_model("candidates", "ConsentText")
    Consent = apps.get_model("candidates", "Consent")
    texts = {}
    for (purpose, version), languages in FIRST_VERSIONS.items():
        for language, (text, explanation) in languages.items():
            texts[(purpose, version, language)] = ConsentText.objects.get_or_create(
                purpose=purpose,
                version=version,
                language=language,
                defaults={"text": text, "explanation": explanation, "covers": COVERS.get(purpose, [])},
            )[0]
    for (purpose, version), _languages in FIRST_VERSIONS.items():
        for language in ("fr-ca", "en"):
            rows = Consent.objects.filter(purpose=purpose, text_version=version, text__isnull=True)
            rows = (
                rows.filter(candidate__language=language)
                if language == "en"
                else rows.exclude(candidate__language="en")
            )
            rows.update(text=texts[(purpose, version, language)])


class Migration(migrations.Migration):
    dependencies = [("candidates", "0012_consent_texts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
