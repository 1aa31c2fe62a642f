# L'interface web de Staffroom, en français.
language-name = Français
language-label = Langue
language-apply = Appliquer
skip-to-content = Aller au contenu
nav-label = Principale
nav-home = Accueil
nav-public = Publications publiques
nav-profile = Mon profil
nav-settings = Réglages
nav-about = À propos de ce nœud
footer-apps = Vous pouvez aussi utiliser ce nœud avec toute application compatible Mastodon.
back-home = Retour à l’accueil

sign-in = Se connecter
sign-out = Se déconnecter
sign-up = Créer un compte
no-account = Pas encore de compte ?
have-account = Déjà membre ?
field-login = Nom d’utilisateur ou adresse e-mail
field-password = Mot de passe
field-username = Nom d’utilisateur
field-username-help = Lettres, chiffres et tirets bas, 30 au plus. Les autres le verront comme votre identifiant.
field-email = Adresse e-mail
field-reason = Pourquoi souhaitez-vous nous rejoindre ?
field-agreement = J’ai lu et j’accepte les règles de ce nœud
rules-title = Règles de ce nœud
sign-up-closed = Ce nœud n’accepte pas de nouvelles inscriptions. Demandez une invitation à son secrétariat.
sign-up-approval = Le secrétariat examine chaque inscription : dites-lui qui vous êtes et pourquoi vous souhaitez nous rejoindre.
sign-in-failed = Le nom d’utilisateur, l’adresse e-mail ou le mot de passe est incorrect, ou le compte n’est pas encore actif.
sign-in-too-many = Trop de tentatives depuis votre adresse. Patientez quelques minutes puis réessayez.
signed-up-approval = Merci ! Le secrétariat va examiner votre inscription ; vous pourrez vous connecter dès qu’elle sera approuvée.
signed-out = Vous êtes déconnecté·e.

error-title = Un problème est survenu
error-not-found = Cette page n’existe pas, ou vous n’avez pas le droit de la voir.
error-csrf = Ce formulaire a expiré ou ne provient pas de ce site. Revenez en arrière, rechargez la page et réessayez.
error-internal = Le nœud n’a pas pu répondre. Réessayez dans un instant.
error-form = Le formulaire était incomplet ou mal formé.
error-registrations-closed = Les inscriptions sont fermées sur ce nœud.
error-registrations-invite = L’inscription sur ce nœud nécessite une invitation du secrétariat.
error-too-many = Trop d’inscriptions depuis votre adresse. Réessayez plus tard.
error-agreement = Veuillez accepter les règles de ce nœud.
error-reason = Dites au secrétariat pourquoi vous souhaitez nous rejoindre.
account-invalid-username = Choisissez un nom d’utilisateur de 1 à 30 lettres, chiffres ou tirets bas.
account-reserved-username = Ce nom d’utilisateur est réservé. Choisissez-en un autre.
account-username-taken = Ce nom d’utilisateur est déjà pris.
account-invalid-email = Cette adresse e-mail n’est pas valide.
account-email-taken = Cette adresse e-mail est déjà utilisée.
account-weak-password = Ce mot de passe est trop faible : au moins 8 caractères, pas un mot de passe courant, ni votre nom ou votre adresse e-mail.
account-too-long = L’un des champs est trop long.

home-title = Accueil
home-empty = Rien pour l’instant. Suivez des personnes et des groupes, ou écrivez votre première publication.
public-title = Publications publiques
public-intro = Les publications publiques écrites sur ce nœud.
public-empty = Aucune publication publique pour l’instant.
tag-title = Publications avec #{ $tag }
tag-empty = Aucune publication avec ce mot-clé pour l’instant.
thread-title = Discussion
replies-label = Réponses
pages-label = Plus de publications
older-posts = Publications plus anciennes

compose-label = Que souhaitez-vous partager ?
compose-reply = Votre réponse
compose-warning = Avertissement de contenu (facultatif)
compose-visibility = Qui peut la voir
compose-submit = Publier
visibility-public = Public
visibility-unlisted = Non listé
visibility-private = Abonné·es seulement
visibility-direct = Personnes mentionnées seulement
boosted-by = Partagé par
attachment = Pièce jointe
action-replies = Réponses
action-like = J’aime
action-boost = Partager
action-delete = Supprimer

profile-posts = Publications
profile-no-posts = Aucune publication à afficher.
profile-original = Voir le profil d’origine
profile-counts = { $posts ->
    [one] 1 publication
   *[other] { $posts } publications
} · { $followers ->
    [one] 1 abonné·e
   *[other] { $followers } abonné·es
} · { $following } abonnements

sessions-title = Navigateurs connectés
sessions-intro = Ces navigateurs sont connectés à votre compte. Déconnectez ceux que vous ne reconnaissez pas.
sessions-browser = Navigateur
sessions-address = Adresse
sessions-started = Connecté le
sessions-last-seen = Dernière utilisation
sessions-actions = Actions
sessions-current = ce navigateur
sessions-revoke = Déconnecter

about-apps-title = Applications
about-apps = Les membres se connectent avec toute application compatible Mastodon (Tusky, Elk, Phanpy, Ivory, toot) en indiquant ce serveur :
about-contact = Contact :
members-count = { $count ->
    [one] 1 membre
   *[other] { $count } membres
}
registrations-open = Tout le monde peut créer un compte
registrations-approval = Les inscriptions sont examinées par le secrétariat
registrations-invite = Inscription sur invitation
registrations-closed = Les inscriptions sont fermées

nav-admin = Secrétariat
error-staff-only = Seul le secrétariat du nœud peut ouvrir cette page.
admin-registrations-title = Inscriptions en attente d’approbation
admin-registrations-intro = Approuvez les personnes attendues ; une inscription refusée est supprimée.
admin-registrations-empty = Aucune inscription en attente.
admin-requested = demandée le
admin-no-reason = (aucune raison donnée)
admin-approve = Approuver
admin-reject = Refuser

oauth-title = Autoriser une application
oauth-asks = demande à utiliser votre compte. Elle pourra :
oauth-signed-in-as = Vous êtes connecté·e en tant que
oauth-authorize = Autoriser
oauth-deny = Refuser
oauth-invalid = Nom d’utilisateur, adresse e-mail ou mot de passe incorrect.
scope-read = voir tout votre compte : publications, abonnements, listes, notifications
scope-write = publier, modifier, supprimer, aimer et partager, et modifier votre compte à votre place
scope-follow = suivre, ne plus suivre, bloquer et masquer des personnes et des groupes
scope-push = vous envoyer des notifications push
scope-profile = voir uniquement votre profil (nom, image, identifiant)
scope-read-part = voir vos { $what }
scope-write-part = modifier vos { $what }
scope-admin-part = administrer { $what }
scope-noun-accounts = compte et profil
scope-noun-blocks = blocages
scope-noun-bookmarks = signets
scope-noun-favourites = mentions « J’aime »
scope-noun-filters = filtres
scope-noun-follows = abonnements
scope-noun-lists = listes
scope-noun-mutes = comptes masqués
scope-noun-notifications = notifications
scope-noun-search = recherches
scope-noun-statuses = publications
scope-noun-media = images et fichiers
scope-noun-reports = signalements
scope-noun-conversations = conversations
compose-images = Images (facultatif)
compose-image = Image
compose-image-description = Description de l’image (pour les personnes qui ne la voient pas)
error-too-large = Le fichier est trop volumineux.

nav-groups = Groupes
groups-title = Groupes
groups-intro = Les espaces de groupe de ce nœud, et les groupes d’ailleurs que vous avez rejoints.
groups-empty = Aucun groupe pour l’instant.
group-public = groupe public
group-members-only = espace réservé aux membres
group-elsewhere = sur un autre serveur
group-members = { $count ->
    [one] 1 membre
   *[other] { $count } membres
}
group-join = Rejoindre
group-request = Demander à rejoindre
group-leave = Quitter
group-pending = Votre demande attend l’accord d’un·e animateur·rice.
group-cancel-request = Retirer la demande
group-banned = Les animateur·rices de ce groupe vous en ont retiré·e.
group-sign-in-to-join = Connectez-vous pour rejoindre ce groupe
group-posts = Publications du groupe
group-no-posts = Aucune publication dans ce groupe pour l’instant.
group-members-only-notice = Seuls les membres voient les publications de ce groupe.

group-requests = Demandes d’adhésion
group-requests-empty = Personne n’attend de rejoindre le groupe.
error-stewards-only = Seul·es les animateur·rices de ce groupe peuvent ouvrir cette page.

nav-events = Événements
events-title = Événements
events-agenda = Mon agenda
events-agenda-empty = Vous n’êtes encore inscrit·e à aucun événement.
events-upcoming = Prochainement sur ce nœud
events-empty = Aucun événement prévu pour l’instant.
events-subscribe = S’abonner au calendrier de ce nœud
event-online = En ligne
event-cancelled = Annulé
event-by = Organisé par
event-going-count = { $count ->
    [one] 1 participant·e
   *[other] { $count } participant·es
}
event-places-left = { $count ->
    [0] plus de place : les nouvelles réponses rejoignent la liste d’attente
    [one] 1 place restante
   *[other] { $count } places restantes
}
event-rsvp = Viendrez-vous ?
event-going = Je participe
event-maybe = Peut-être
event-no = Je ne peux pas
event-standing-going = Vous participez.
event-standing-waitlist = Vous êtes sur liste d’attente : une place vous sera attribuée dès qu’elle se libère.
event-standing-pending = Votre participation attend l’accord des organisateur·rices.
event-standing-interested = Vous viendrez peut-être.
event-closed = Les réponses sont closes.
event-sign-in = Connectez-vous pour répondre
event-attendees = Qui participe
event-no-attendees = Personne pour l’instant.
event-add-to-calendar = Ajouter à votre calendrier
event-original = Voir l’événement d’origine

nav-notifications = Notifications
notifications-title = Notifications
notifications-empty = Rien pour l’instant : les mentions « J’aime », partages, mentions et nouveaux abonnements s’affichent ici.
older-notifications = Notifications plus anciennes
notification-mention = { $name } vous a mentionné·e
notification-status = { $name } a publié
notification-reblog = { $name } a partagé votre publication
notification-favourite = { $name } a aimé votre publication
notification-follow = { $name } vous suit
notification-follow_request = { $name } demande à vous suivre
notification-update = { $name } a modifié une publication
notification-poll = Un sondage auquel vous avez participé est terminé
notification-admin-report = { $name } a fait un signalement
notification-admin-sign_up = { $name } s’est inscrit·e
notification-other = { $name } a fait quelque chose
profile-follow = Suivre
profile-unfollow = Ne plus suivre
profile-requested = Demande d’abonnement envoyée.

settings-profile = Profil et mot de passe
settings-display-name = Nom affiché
settings-bio = À propos de vous
settings-locked = J’approuve les personnes qui peuvent me suivre
settings-save = Enregistrer
settings-password = Mot de passe
settings-password-current = Mot de passe actuel
settings-password-new = Nouveau mot de passe
settings-password-change = Changer le mot de passe
settings-password-changed = Votre mot de passe a été changé ; vos autres navigateurs ont été déconnectés.
settings-password-wrong = Le mot de passe actuel est incorrect.

apps-title = Applications autorisées
apps-intro = Ces applications peuvent utiliser votre compte. Retirez l’accès à celles que vous n’utilisez plus.
apps-empty = Aucune application ne peut utiliser votre compte.
apps-since = autorisée le
apps-revoke = Retirer l’accès
