"""What the citizen is told by the system at each turn of the handover, German first, then English, Turkish,
Ukrainian and Arabic."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handover.domain.office_hours import OfficeHours

TEXTS = {
    "de": {
        "queued": (
            "Ich verbinde Sie mit dem Team „{department}“. Ihr bisheriges Gespräch wird übergeben, Sie müssen nichts "
            "wiederholen. Bitte haben Sie einen Moment Geduld."
        ),
        "assigned": "{agent} ({department}) ist jetzt für Sie da.",
        "taken_over": "{agent} ({department}) hat das Gespräch übernommen und ist jetzt für Sie da.",
        "outside_office_hours": (
            "Das Team „{department}“ ist gerade nicht erreichbar: Wir sind außerhalb der Chat-Servicezeiten. "
            "Chat-Servicezeiten: {hours}.{next_open} Sie können uns eine Nachricht mit Ihren Kontaktdaten "
            "hinterlassen – wir melden uns bei Ihnen."
        ),
        "next_open": " Nächste Chat-Servicezeit: {when}.",
        "no_agent_online": (
            "Gerade ist niemand aus dem Team „{department}“ frei, obwohl Chat-Servicezeit ist. Sie können uns eine "
            "Nachricht mit Ihren Kontaktdaten hinterlassen – wir melden uns bei Ihnen."
        ),
        "bot_unavailable": (
            "Der digitale Assistent ist gerade nicht erreichbar. Ihre Nachricht ist gespeichert. Bitte versuchen "
            "Sie es gleich noch einmal, sprechen Sie mit einem Menschen oder hinterlassen Sie uns eine Nachricht."
        ),
        "request_human_button": "Mit einem Menschen sprechen",
        "transferred_department": "Ihr Anliegen wird an das Team „{department}“ weitergegeben. Einen Moment bitte.",
        "transferred_agent": "{agent} übernimmt jetzt Ihr Gespräch.",
        "returned_to_bot": "Sie sind wieder beim digitalen Assistenten.",
        "closed_by_agent": "Das Gespräch wurde beendet. Vielen Dank! Wie zufrieden waren Sie mit der Beratung?",
        "closed_by_citizen": "Sie haben das Gespräch beendet. Vielen Dank! Wie zufrieden waren Sie?",
        "ticket_created": (
            "Vielen Dank! Ihre Nachricht ist bei uns eingegangen (Vorgang {reference}). Wir melden uns über die "
            "angegebenen Kontaktdaten."
        ),
        "no_language_agent": (
            "Gerade ist niemand online, der Ihre Sprache spricht. Eine Mitarbeiterin oder ein Mitarbeiter übernimmt "
            "auf Deutsch. Sie können auch eine Nachricht mit Ihren Kontaktdaten hinterlassen – wir melden uns."
        ),
        "weekdays": ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
        "when": "{weekday} {date} um {time} Uhr",
    },
    "en": {
        "queued": (
            "I am connecting you with the team “{department}”. Your conversation so far is passed on, so you don't "
            "have to repeat anything. Please wait a moment."
        ),
        "assigned": "{agent} ({department}) is now here for you.",
        "taken_over": "{agent} ({department}) has taken over the conversation and is now here for you.",
        "outside_office_hours": (
            "The team “{department}” is not available right now: we are outside the chat service hours. "
            "Chat service hours: {hours}.{next_open} You can leave us a message with your contact details and we "
            "will get back to you."
        ),
        "next_open": " Next chat service hours: {when}.",
        "no_agent_online": (
            "Nobody from the team “{department}” is free right now, although it is within the chat service hours. "
            "You can leave us a message with your contact details and we will get back to you."
        ),
        "bot_unavailable": (
            "The digital assistant is not reachable right now. Your message has been saved. Please try again in a "
            "moment, talk to a person or leave us a message."
        ),
        "request_human_button": "Talk to a person",
        "transferred_department": "Your request is being passed on to the team “{department}”. One moment please.",
        "transferred_agent": "{agent} is taking over your conversation now.",
        "returned_to_bot": "You are back with the digital assistant.",
        "closed_by_agent": "The conversation has ended. Thank you! How satisfied were you?",
        "closed_by_citizen": "You have ended the conversation. Thank you! How satisfied were you?",
        "ticket_created": (
            "Thank you! We have received your message (reference {reference}). We will contact you using the "
            "details you provided."
        ),
        "no_language_agent": (
            "Right now nobody who speaks English is online. A member of staff will take over in German. You can also "
            "leave us a message with your contact details and we will get back to you."
        ),
        "weekdays": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        "when": "{weekday} {date} at {time}",
    },
    # Turkish, Ukrainian and Arabic (issue 14): the language the citizen writes in, told by the bot at the handover.
    "tr": {
        "queued": (
            "Sizi „{department}“ ekibine bağlıyorum. Şimdiye kadarki konuşmanız iletilir, hiçbir şeyi tekrar etmeniz "
            "gerekmez. Lütfen biraz bekleyin."
        ),
        "assigned": "{agent} ({department}) şimdi sizinle ilgileniyor.",
        "taken_over": "{agent} ({department}) konuşmayı devraldı ve şimdi sizinle ilgileniyor.",
        "outside_office_hours": (
            "„{department}“ ekibine şu anda ulaşılamıyor: sohbet hizmet saatlerinin dışındayız. Sohbet hizmet "
            "saatleri: {hours}.{next_open} İletişim bilgilerinizle bize bir mesaj bırakabilirsiniz; size dönüş yaparız."
        ),
        "next_open": " Bir sonraki sohbet hizmet saati: {when}.",
        "no_agent_online": (
            "Sohbet hizmet saatinde olmamıza rağmen şu anda „{department}“ ekibinden kimse müsait değil. İletişim "
            "bilgilerinizle bize bir mesaj bırakabilirsiniz; size dönüş yaparız."
        ),
        "no_language_agent": (
            "Şu anda Türkçe konuşan bir görevli çevrimiçi değil. Almanca konuşan bir görevli konuşmanızı devralacak. "
            "Dilerseniz iletişim bilgilerinizle bir mesaj da bırakabilirsiniz; size dönüş yaparız."
        ),
        "bot_unavailable": (
            "Dijital asistana şu anda ulaşılamıyor. Mesajınız kaydedildi. Lütfen birazdan tekrar deneyin, bir insanla "
            "konuşun veya bize bir mesaj bırakın."
        ),
        "request_human_button": "Bir insanla konuşmak istiyorum",
        "transferred_department": "Talebiniz „{department}“ ekibine iletiliyor. Lütfen biraz bekleyin.",
        "transferred_agent": "{agent} şimdi konuşmanızı devralıyor.",
        "returned_to_bot": "Yeniden dijital asistanlasınız.",
        "closed_by_agent": "Konuşma sona erdi. Teşekkür ederiz! Danışmanlıktan ne kadar memnun kaldınız?",
        "closed_by_citizen": "Konuşmayı sonlandırdınız. Teşekkür ederiz! Ne kadar memnun kaldınız?",
        "ticket_created": (
            "Teşekkür ederiz! Mesajınız bize ulaştı (dosya {reference}). Verdiğiniz iletişim bilgileri üzerinden size "
            "dönüş yapacağız."
        ),
        "weekdays": ("Pzt", "Sal", "Çar", "Per", "Cum", "Cmt", "Paz"),
        "when": "{weekday} {date} saat {time}",
    },
    "uk": {
        "queued": (
            "Я з’єдную Вас із командою «{department}». Вашу розмову буде передано, Вам не доведеться нічого "
            "повторювати. Будь ласка, зачекайте хвилинку."
        ),
        "assigned": "{agent} ({department}) тепер до Ваших послуг.",
        "taken_over": "{agent} ({department}) взяв(ла) розмову на себе і тепер до Ваших послуг.",
        "outside_office_hours": (
            "Команда «{department}» зараз недоступна: ми поза годинами роботи чату. Години роботи чату: "
            "{hours}.{next_open} Ви можете залишити нам повідомлення зі своїми контактними даними – ми з Вами "
            "зв’яжемося."
        ),
        "next_open": " Наступні години роботи чату: {when}.",
        "no_agent_online": (
            "Зараз ніхто з команди «{department}» не вільний, хоча чат працює. Ви можете залишити нам повідомлення "
            "зі своїми контактними даними – ми з Вами зв’яжемося."
        ),
        "no_language_agent": (
            "Зараз онлайн немає співробітника, який говорить українською. Розмову продовжить співробітник німецькою "
            "мовою. Ви також можете залишити повідомлення зі своїми контактними даними – ми з Вами зв’яжемося."
        ),
        "bot_unavailable": (
            "Цифровий помічник зараз недоступний. Ваше повідомлення збережено. Спробуйте, будь ласка, ще раз за "
            "хвилину, поговоріть із людиною або залиште нам повідомлення."
        ),
        "request_human_button": "Поговорити з людиною",
        "transferred_department": "Ваше звернення передається команді «{department}». Хвилинку, будь ласка.",
        "transferred_agent": "{agent} тепер продовжує Вашу розмову.",
        "returned_to_bot": "Ви знову розмовляєте з цифровим помічником.",
        "closed_by_agent": "Розмову завершено. Дякуємо! Наскільки Ви задоволені консультацією?",
        "closed_by_citizen": "Ви завершили розмову. Дякуємо! Наскільки Ви задоволені?",
        "ticket_created": (
            "Дякуємо! Ми отримали Ваше повідомлення (звернення {reference}). Ми зв’яжемося з Вами за вказаними "
            "контактними даними."
        ),
        "weekdays": ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Нд"),
        "when": "{weekday} {date} о {time}",
    },
    "ar": {
        "queued": (
            "سأوصلك بفريق «{department}». ستُنقل محادثتك حتى الآن، فلا داعي لتكرار أي شيء. يُرجى الانتظار قليلًا."
        ),
        "assigned": "{agent} ({department}) في خدمتك الآن.",
        "taken_over": "تولّى {agent} ({department}) المحادثة وهو في خدمتك الآن.",
        "outside_office_hours": (
            "فريق «{department}» غير متاح الآن: نحن خارج أوقات خدمة الدردشة. أوقات خدمة الدردشة: {hours}.{next_open} "
            "يمكنك ترك رسالة لنا مع بيانات الاتصال بك وسنتواصل معك."
        ),
        "next_open": " موعد خدمة الدردشة التالي: {when}.",
        "no_agent_online": (
            "لا يوجد أحد من فريق «{department}» متفرغ الآن، مع أننا في أوقات خدمة الدردشة. يمكنك ترك رسالة لنا مع "
            "بيانات الاتصال بك وسنتواصل معك."
        ),
        "no_language_agent": (
            "لا يوجد الآن موظف متصل يتحدث العربية. سيتولى محادثتك موظف باللغة الألمانية. ويمكنك أيضًا ترك رسالة مع "
            "بيانات الاتصال بك وسنتواصل معك."
        ),
        "bot_unavailable": (
            "المساعد الرقمي غير متاح الآن. تم حفظ رسالتك. يُرجى المحاولة مرة أخرى بعد قليل، أو التحدث مع شخص، أو "
            "ترك رسالة لنا."
        ),
        "request_human_button": "التحدث مع شخص",
        "transferred_department": "يجري تحويل طلبك إلى فريق «{department}». لحظة من فضلك.",
        "transferred_agent": "يتولى {agent} محادثتك الآن.",
        "returned_to_bot": "أنت الآن مجددًا مع المساعد الرقمي.",
        "closed_by_agent": "انتهت المحادثة. شكرًا لك! ما مدى رضاك عن الاستشارة؟",
        "closed_by_citizen": "لقد أنهيت المحادثة. شكرًا لك! ما مدى رضاك؟",
        "ticket_created": (
            "شكرًا لك! وصلتنا رسالتك (رقم المعاملة {reference}). سنتواصل معك عبر بيانات الاتصال التي قدّمتها."
        ),
        "weekdays": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
        "when": "{weekday} {date} الساعة {time}",
    },
}


def text(language: str, key: str, **values: Any) -> str:
    template = TEXTS.get(language, TEXTS["de"])[key]
    return template.format(**values) if values else template


def format_when(office_hours: OfficeHours, language: str, moment: datetime) -> str:
    """A moment as the citizen reads it, in the office hours' time zone ("Mo. 03.06. um 08:00 Uhr")."""
    local = moment.astimezone(office_hours.tz)
    texts = TEXTS.get(language, TEXTS["de"])
    return texts["when"].format(
        weekday=texts["weekdays"][local.weekday()],
        date=local.strftime("%d %b") if language == "en" else local.strftime("%d.%m."),
        time=local.strftime("%H:%M"),
    )
