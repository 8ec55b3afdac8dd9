"""The e-mails citizens get, in German, English, Turkish, Ukrainian or Arabic (the conversation's or report's
language; issue 14).

Plain text on purpose: it reads the same in every mail program, screen readers included, and carries no
tracking. Values are filled in with `str.format`; optional parts (a name, a comment) are prepared by `render`
so no template ever shows an empty "Guten Tag ," or a dangling heading."""

from __future__ import annotations

from textwrap import indent

TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "ticket_confirmation": {
        "de": (
            "Ihre Nachricht an die Stadt {city} ({reference})",
            "{greeting}\n\n"
            "vielen Dank für Ihre Nachricht. Sie ist unter der Vorgangsnummer {reference} beim Team "
            "„{department}“ eingegangen. Wir melden uns so bald wie möglich bei Ihnen.\n\n"
            "Ihr Anliegen:\n{concern}\n\n"
            "Bitte geben Sie bei Rückfragen die Vorgangsnummer {reference} an.\n\n"
            "Freundliche Grüße\nIhre Stadt {city}\n\n"
            "Diese E-Mail wurde automatisch erstellt.",
        ),
        "en": (
            "Your message to the City of {city} ({reference})",
            "{greeting}\n\n"
            "Thank you for your message. It has been received by the team “{department}” under the reference "
            "{reference}. We will get back to you as soon as possible.\n\n"
            "Your request:\n{concern}\n\n"
            "Please quote the reference {reference} if you contact us about it.\n\n"
            "Kind regards\nThe City of {city}\n\n"
            "This e-mail was created automatically.",
        ),
        "tr": (
            "{city} Belediyesine mesajınız ({reference})",
            "{greeting}\n\n"
            "Mesajınız için teşekkür ederiz. Mesajınız {reference} dosya numarasıyla „{department}“ ekibine ulaştı. "
            "Size en kısa sürede dönüş yapacağız.\n\n"
            "Talebiniz:\n{concern}\n\n"
            "Sorularınızda lütfen {reference} dosya numarasını belirtin.\n\n"
            "Saygılarımızla\n{city} Belediyesi\n\n"
            "Bu e-posta otomatik olarak oluşturulmuştur.",
        ),
        "uk": (
            "Ваше повідомлення до міста {city} ({reference})",
            "{greeting}\n\n"
            "Дякуємо за Ваше повідомлення. Його отримала команда «{department}» під номером справи {reference}. "
            "Ми відповімо Вам якнайшвидше.\n\n"
            "Ваше звернення:\n{concern}\n\n"
            "Якщо у Вас будуть запитання, будь ласка, вказуйте номер справи {reference}.\n\n"
            "З повагою\nМісто {city}\n\n"
            "Цей лист створено автоматично.",
        ),
        "ar": (
            "رسالتك إلى مدينة {city} ({reference})",
            "{greeting}\n\n"
            "شكرًا لك على رسالتك. لقد وصلت إلى فريق «{department}» برقم الملف {reference}. سنتواصل معك في أقرب "
            "وقت ممكن.\n\n"
            "طلبك:\n{concern}\n\n"
            "يرجى ذكر رقم الملف {reference} عند أي استفسار.\n\n"
            "مع أطيب التحيات\nمدينة {city}\n\n"
            "تم إنشاء هذه الرسالة تلقائيًا.",
        ),
    },
    "ticket_reply": {
        "de": (
            "Antwort auf Ihre Nachricht ({reference})",
            "{greeting}\n\n{reply}\n\n"
            "Mit freundlichen Grüßen\n{agent}\nTeam „{department}“, Stadt {city}\n\n"
            "-- \nIhre Nachricht vom {date} (Vorgang {reference}):\n{quoted_concern}",
        ),
        "en": (
            "Reply to your message ({reference})",
            "{greeting}\n\n{reply}\n\n"
            "Kind regards\n{agent}\nTeam “{department}”, City of {city}\n\n"
            "-- \nYour message of {date} (reference {reference}):\n{quoted_concern}",
        ),
        "tr": (
            "Mesajınıza yanıt ({reference})",
            "{greeting}\n\n{reply}\n\n"
            "Saygılarımızla\n{agent}\n„{department}“ ekibi, {city} Belediyesi\n\n"
            "-- \n{date} tarihli mesajınız (dosya {reference}):\n{quoted_concern}",
        ),
        "uk": (
            "Відповідь на Ваше повідомлення ({reference})",
            "{greeting}\n\n{reply}\n\n"
            "З повагою\n{agent}\nКоманда «{department}», місто {city}\n\n"
            "-- \nВаше повідомлення від {date} (справа {reference}):\n{quoted_concern}",
        ),
        "ar": (
            "رد على رسالتك ({reference})",
            "{greeting}\n\n{reply}\n\n"
            "مع أطيب التحيات\n{agent}\nفريق «{department}»، مدينة {city}\n\n"
            "-- \nرسالتك بتاريخ {date} (الملف {reference}):\n{quoted_concern}",
        ),
    },
    "defect_status": {
        "de": (
            "Ihre Meldung {reference}: {status}",
            "Guten Tag,\n\n"
            "Ihre Meldung {reference} ({category}, {location}) hat einen neuen Stand: {status}.\n"
            "{comment_block}\n"
            "Den Stand können Sie jederzeit im Chat auf der Website der Stadt {city} mit der Nummer {reference} "
            "abfragen.\n\n"
            "Freundliche Grüße\nTeam „{department}“, Stadt {city}\n\n"
            "Diese E-Mail wurde automatisch erstellt. Sie erhalten sie, weil Sie bei Ihrer Meldung diese "
            "Adresse für Rückmeldungen angegeben haben.",
        ),
        "en": (
            "Your report {reference}: {status}",
            "Hello,\n\n"
            "Your report {reference} ({category}, {location}) has a new status: {status}.\n"
            "{comment_block}\n"
            "You can check the status at any time in the chat on the City of {city} website with the number "
            "{reference}.\n\n"
            "Kind regards\nTeam “{department}”, City of {city}\n\n"
            "This e-mail was created automatically. You receive it because you left this address for updates "
            "with your report.",
        ),
        "tr": (
            "{reference} numaralı bildiriminiz: {status}",
            "Merhaba,\n\n"
            "{reference} numaralı bildiriminizin ({category}, {location}) durumu değişti: {status}.\n"
            "{comment_block}\n"
            "Durumu istediğiniz zaman {city} Belediyesinin web sitesindeki sohbette {reference} numarasıyla "
            "sorgulayabilirsiniz.\n\n"
            "Saygılarımızla\n„{department}“ ekibi, {city} Belediyesi\n\n"
            "Bu e-posta otomatik olarak oluşturulmuştur. Bildiriminizde geri bildirim için bu adresi verdiğiniz için "
            "bu e-postayı alıyorsunuz.",
        ),
        "uk": (
            "Ваше повідомлення про несправність {reference}: {status}",
            "Доброго дня!\n\n"
            "Стан Вашого повідомлення про несправність {reference} ({category}, {location}) змінився: {status}.\n"
            "{comment_block}\n"
            "Дізнатися стан можна будь-коли в чаті на вебсайті міста {city} за номером {reference}.\n\n"
            "З повагою\nКоманда «{department}», місто {city}\n\n"
            "Цей лист створено автоматично. Ви отримуєте його, бо у своєму повідомленні вказали цю адресу для "
            "відповідей.",
        ),
        "ar": (
            "بلاغك {reference}: {status}",
            "مرحبًا،\n\n"
            "تغيرت حالة بلاغك {reference} ({category}، {location}): {status}.\n"
            "{comment_block}\n"
            "يمكنك الاستعلام عن الحالة في أي وقت عبر الدردشة على موقع مدينة {city} باستخدام الرقم {reference}.\n\n"
            "مع أطيب التحيات\nفريق «{department}»، مدينة {city}\n\n"
            "تم إنشاء هذه الرسالة تلقائيًا. تصلك لأنك ذكرت هذا العنوان لتلقي الردود عند تقديم بلاغك.",
        ),
    },
}

GREETINGS = {
    "de": ("Guten Tag {name},", "Guten Tag,"),
    "en": ("Dear {name},", "Hello,"),
    "tr": ("Sayın {name},", "Merhaba,"),
    "uk": ("Доброго дня, {name}!", "Доброго дня!"),
    "ar": ("مرحبًا {name}،", "مرحبًا،"),
}
COMMENT_HEADINGS = {"de": "Hinweis des Teams:", "en": "Note from the team:", "tr": "Ekibin notu:",
                    "uk": "Примітка команди:", "ar": "ملاحظة من الفريق:"}


def language_of(language: str | None) -> str:
    return language if language in GREETINGS else "de"


def render(template: str, language: str | None, **values: object) -> tuple[str, str]:
    """(subject, body) of `template` in the language (German when there is none in that language)."""
    lang = language_of(language)
    subject, body = TEMPLATES[template][lang]
    citizen = str(values.get("name") or "").strip()
    with_name, without_name = GREETINGS[lang]
    values.setdefault("greeting", with_name.format(name=citizen) if citizen else without_name)
    if "concern" in values:
        values.setdefault("quoted_concern", indent(str(values["concern"]).strip(), "> ", lambda line: True))
    comment = str(values.get("comment") or "").strip()
    values.setdefault("comment_block", f"\n{COMMENT_HEADINGS[lang]}\n{comment}\n" if comment else "")
    # A subject is one line: a name or status with a line break would start the body early.
    return " ".join(subject.format(**values).split()), body.format(**values)
