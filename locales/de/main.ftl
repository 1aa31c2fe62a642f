# Die Weboberfläche von Staffroom, auf Deutsch.
language-name = Deutsch
language-label = Sprache
language-apply = Übernehmen
skip-to-content = Zum Inhalt springen
nav-label = Hauptmenü
nav-home = Startseite
nav-public = Öffentliche Beiträge
nav-profile = Mein Profil
nav-settings = Einstellungen
nav-about = Über diesen Knoten
footer-apps = Sie können diesen Knoten auch mit jeder Mastodon-kompatiblen App nutzen.
back-home = Zurück zur Startseite

sign-in = Anmelden
sign-out = Abmelden
sign-up = Konto erstellen
no-account = Noch kein Konto?
have-account = Schon Mitglied?
field-login = Benutzername oder E-Mail-Adresse
field-password = Passwort
field-username = Benutzername
field-username-help = Buchstaben, Ziffern und Unterstriche, höchstens 30. Andere sehen ihn als Ihre Kennung.
field-email = E-Mail-Adresse
field-reason = Warum möchten Sie beitreten?
field-agreement = Ich habe die Regeln dieses Knotens gelesen und akzeptiere sie
rules-title = Regeln dieses Knotens
sign-up-closed = Dieser Knoten nimmt keine neuen Registrierungen an. Bitten Sie das Sekretariat um eine Einladung.
sign-up-approval = Das Sekretariat prüft jede Registrierung: Sagen Sie, wer Sie sind und warum Sie beitreten möchten.
sign-in-failed = Benutzername, E-Mail-Adresse oder Passwort sind falsch, oder das Konto ist noch nicht aktiv.
sign-in-too-many = Zu viele Versuche von Ihrer Adresse. Warten Sie einige Minuten und versuchen Sie es erneut.
signed-up-approval = Danke! Das Sekretariat prüft Ihre Registrierung; Sie können sich anmelden, sobald sie bestätigt ist.
signed-out = Sie sind abgemeldet.

error-title = Etwas ist schiefgelaufen
error-not-found = Diese Seite gibt es nicht, oder Sie dürfen sie nicht sehen.
error-csrf = Dieses Formular ist abgelaufen oder stammt nicht von dieser Website. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.
error-internal = Der Knoten konnte nicht antworten. Versuchen Sie es gleich noch einmal.
error-form = Das Formular war unvollständig oder fehlerhaft.
error-registrations-closed = Registrierungen sind auf diesem Knoten geschlossen.
error-registrations-invite = Die Registrierung auf diesem Knoten erfordert eine Einladung des Sekretariats.
error-too-many = Zu viele Registrierungen von Ihrer Adresse. Versuchen Sie es später erneut.
error-agreement = Bitte akzeptieren Sie die Regeln dieses Knotens.
error-reason = Sagen Sie dem Sekretariat, warum Sie beitreten möchten.
account-invalid-username = Wählen Sie einen Benutzernamen aus 1 bis 30 Buchstaben, Ziffern oder Unterstrichen.
account-reserved-username = Dieser Benutzername ist reserviert. Wählen Sie einen anderen.
account-username-taken = Dieser Benutzername ist bereits vergeben.
account-invalid-email = Diese E-Mail-Adresse ist ungültig.
account-email-taken = Diese E-Mail-Adresse wird bereits verwendet.
account-weak-password = Dieses Passwort ist zu schwach: mindestens 8 Zeichen, kein häufiges Passwort und nicht Ihr Name oder Ihre E-Mail-Adresse.
account-too-long = Eines der Felder ist zu lang.

home-title = Startseite
home-empty = Noch nichts da. Folgen Sie Personen und Gruppen oder schreiben Sie Ihren ersten Beitrag.
public-title = Öffentliche Beiträge
public-intro = Öffentliche Beiträge, die auf diesem Knoten geschrieben wurden.
public-empty = Noch keine öffentlichen Beiträge.
tag-title = Beiträge mit #{ $tag }
tag-empty = Noch keine Beiträge mit diesem Schlagwort.
thread-title = Unterhaltung
replies-label = Antworten
pages-label = Weitere Beiträge
older-posts = Ältere Beiträge

compose-label = Was möchten Sie teilen?
compose-reply = Ihre Antwort
compose-warning = Inhaltswarnung (optional)
compose-visibility = Wer darf es sehen
compose-submit = Veröffentlichen
visibility-public = Öffentlich
visibility-unlisted = Nicht gelistet
visibility-private = Nur Folgende
visibility-direct = Nur erwähnte Personen
boosted-by = Geteilt von
attachment = Anhang
action-replies = Antworten
action-like = Gefällt mir
action-boost = Teilen
action-delete = Löschen

profile-posts = Beiträge
profile-no-posts = Keine Beiträge vorhanden.
profile-original = Ursprüngliches Profil ansehen
profile-counts = { $posts ->
    [one] 1 Beitrag
   *[other] { $posts } Beiträge
} · { $followers ->
    [one] 1 Folgende*r
   *[other] { $followers } Folgende
} · folgt { $following }

sessions-title = Angemeldete Browser
sessions-intro = Diese Browser sind bei Ihrem Konto angemeldet. Melden Sie alle ab, die Sie nicht kennen.
sessions-browser = Browser
sessions-address = Adresse
sessions-started = Angemeldet am
sessions-last-seen = Zuletzt genutzt
sessions-actions = Aktionen
sessions-current = dieser Browser
sessions-revoke = Abmelden

about-apps-title = Apps
about-apps = Mitglieder melden sich mit jeder Mastodon-kompatiblen App an (Tusky, Elk, Phanpy, Ivory, toot), indem sie diesen Server eingeben:
about-contact = Kontakt:
members-count = { $count ->
    [one] 1 Mitglied
   *[other] { $count } Mitglieder
}
registrations-open = Jede Person kann ein Konto erstellen
registrations-approval = Registrierungen werden vom Sekretariat geprüft
registrations-invite = Registrierung nur auf Einladung
registrations-closed = Registrierungen sind geschlossen

nav-admin = Sekretariat
error-staff-only = Nur das Sekretariat des Knotens darf diese Seite öffnen.
admin-registrations-title = Registrierungen, die auf Bestätigung warten
admin-registrations-intro = Bestätigen Sie die Personen, die Sie erwarten; eine abgelehnte Registrierung wird gelöscht.
admin-registrations-empty = Keine Registrierung wartet.
admin-requested = beantragt am
admin-no-reason = (kein Grund angegeben)
admin-approve = Bestätigen
admin-reject = Ablehnen

oauth-title = Eine App autorisieren
oauth-asks = möchte Ihr Konto verwenden. Sie kann dann:
oauth-signed-in-as = Sie sind angemeldet als
oauth-authorize = Autorisieren
oauth-deny = Ablehnen
oauth-invalid = Benutzername, E-Mail-Adresse oder Passwort ungültig.
scope-read = alles in Ihrem Konto sehen: Beiträge, Folgen, Listen, Benachrichtigungen
scope-write = für Sie veröffentlichen, bearbeiten, löschen, liken und teilen und Ihr Konto ändern
scope-follow = Personen und Gruppen folgen, entfolgen, blockieren und stummschalten
scope-push = Ihnen Push-Benachrichtigungen senden
scope-profile = nur Ihr Profil sehen (Name, Bild, Kennung)
scope-read-part = Ihre { $what } sehen
scope-write-part = Ihre { $what } ändern
scope-admin-part = { $what } verwalten
scope-noun-accounts = Konto- und Profildaten
scope-noun-blocks = Blockierungen
scope-noun-bookmarks = Lesezeichen
scope-noun-favourites = „Gefällt mir“-Angaben
scope-noun-filters = Filter
scope-noun-follows = Folgen
scope-noun-lists = Listen
scope-noun-mutes = Stummschaltungen
scope-noun-notifications = Benachrichtigungen
scope-noun-search = Suchen
scope-noun-statuses = Beiträge
scope-noun-media = Bilder und Dateien
scope-noun-reports = Meldungen
scope-noun-conversations = Unterhaltungen
compose-images = Bilder (optional)
compose-image = Bild
compose-image-description = Beschreibung des Bildes (für Menschen, die es nicht sehen)
error-too-large = Die Datei ist zu groß.

nav-groups = Gruppen
groups-title = Gruppen
groups-intro = Die Gruppenräume dieses Knotens und die Gruppen anderswo, denen Sie beigetreten sind.
groups-empty = Noch keine Gruppen.
group-public = öffentliche Gruppe
group-members-only = Gruppenraum nur für Mitglieder
group-elsewhere = auf einem anderen Server
group-members = { $count ->
    [one] 1 Mitglied
   *[other] { $count } Mitglieder
}
group-join = Beitreten
group-request = Beitritt anfragen
group-leave = Verlassen
group-pending = Ihre Anfrage wartet auf eine Moderatorin oder einen Moderator.
group-cancel-request = Anfrage zurückziehen
group-banned = Die Moderation dieser Gruppe hat Sie entfernt.
group-sign-in-to-join = Melden Sie sich an, um dieser Gruppe beizutreten
group-posts = Beiträge in dieser Gruppe
group-no-posts = Noch keine Beiträge in dieser Gruppe.
group-members-only-notice = Nur Mitglieder sehen die Beiträge dieser Gruppe.

group-requests = Beitrittsanfragen
group-requests-empty = Niemand wartet auf den Beitritt.
error-stewards-only = Nur die Moderation dieser Gruppe darf diese Seite öffnen.

nav-events = Veranstaltungen
events-title = Veranstaltungen
events-agenda = Mein Kalender
events-agenda-empty = Sie haben sich noch für keine Veranstaltung angemeldet.
events-upcoming = Demnächst auf diesem Knoten
events-empty = Noch keine Veranstaltungen geplant.
events-subscribe = Den Kalender dieses Knotens abonnieren
event-online = Online
event-cancelled = Abgesagt
event-by = Veranstaltet von
event-going-count = { $count ->
    [one] 1 Person nimmt teil
   *[other] { $count } Personen nehmen teil
}
event-places-left = { $count ->
    [0] kein Platz frei: neue Zusagen kommen auf die Warteliste
    [one] 1 Platz frei
   *[other] { $count } Plätze frei
}
event-rsvp = Kommen Sie?
event-going = Ich komme
event-maybe = Vielleicht
event-no = Ich kann nicht
event-standing-going = Sie nehmen teil.
event-standing-waitlist = Sie stehen auf der Warteliste: Sie bekommen einen Platz, sobald einer frei wird.
event-standing-pending = Ihre Teilnahme wartet auf die Bestätigung der Veranstaltenden.
event-standing-interested = Sie kommen vielleicht.
event-closed = Zusagen sind geschlossen.
event-sign-in = Melden Sie sich an, um zu antworten
event-attendees = Wer teilnimmt
event-no-attendees = Noch niemand.
event-add-to-calendar = Zum Kalender hinzufügen
event-original = Ursprüngliche Veranstaltung ansehen

nav-notifications = Benachrichtigungen
notifications-title = Benachrichtigungen
notifications-empty = Noch nichts: Likes, geteilte Beiträge, Erwähnungen und neue Folgende erscheinen hier.
older-notifications = Ältere Benachrichtigungen
notification-mention = { $name } hat Sie erwähnt
notification-status = { $name } hat etwas veröffentlicht
notification-reblog = { $name } hat Ihren Beitrag geteilt
notification-favourite = { $name } gefällt Ihr Beitrag
notification-follow = { $name } folgt Ihnen
notification-follow_request = { $name } möchte Ihnen folgen
notification-update = { $name } hat einen Beitrag bearbeitet
notification-poll = Eine Umfrage, an der Sie teilgenommen haben, ist beendet
notification-admin-report = { $name } hat eine Meldung eingereicht
notification-admin-sign_up = { $name } hat sich registriert
notification-other = { $name } hat etwas getan
profile-follow = Folgen
profile-unfollow = Entfolgen
profile-requested = Folgeanfrage gesendet.

settings-profile = Profil und Passwort
settings-display-name = Anzeigename
settings-bio = Über Sie
settings-locked = Ich bestätige, wer mir folgen darf
settings-save = Speichern
settings-password = Passwort
settings-password-current = Aktuelles Passwort
settings-password-new = Neues Passwort
settings-password-change = Passwort ändern
settings-password-changed = Ihr Passwort wurde geändert; Ihre anderen Browser wurden abgemeldet.
settings-password-wrong = Das aktuelle Passwort ist falsch.

apps-title = Autorisierte Apps
apps-intro = Diese Apps dürfen Ihr Konto verwenden. Entziehen Sie den Zugriff allen, die Sie nicht mehr nutzen.
apps-empty = Keine App darf Ihr Konto verwenden.
apps-since = autorisiert am
apps-revoke = Zugriff entziehen
