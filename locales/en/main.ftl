# Staffroom's web interface, English (the reference: every other language has every key here).
language-name = English
language-label = Language
language-apply = Apply
skip-to-content = Skip to content
nav-label = Main
nav-home = Home
nav-public = Public posts
nav-profile = My profile
nav-settings = Settings
nav-about = About this node
footer-apps = You can also use any Mastodon-compatible app with this node.
back-home = Back to the home page

sign-in = Sign in
sign-out = Sign out
sign-up = Create an account
no-account = No account yet?
have-account = Already a member?
field-login = Username or e-mail address
field-password = Password
field-username = Username
field-username-help = Letters, digits and underscores, at most 30. Others will see it as your handle.
field-email = E-mail address
field-reason = Why do you want to join?
field-agreement = I have read and accept the rules of this node
rules-title = Rules of this node
sign-up-closed = This node does not take new registrations. Ask its secretariat for an invitation.
sign-up-approval = The secretariat reviews every registration: tell them who you are and why you want to join.
sign-in-failed = The username, e-mail address or password is wrong, or the account is not active yet.
sign-in-too-many = Too many attempts from your address. Wait a few minutes and try again.
signed-up-approval = Thank you! The secretariat will review your registration; you can sign in once it is approved.
signed-out = You have signed out.

error-title = Something went wrong
error-not-found = This page does not exist, or you may not see it.
error-csrf = This form has expired or did not come from this site. Go back, reload the page and try again.
error-internal = The node could not answer. Try again in a moment.
error-form = The form was incomplete or malformed.
error-registrations-closed = Registrations are closed on this node.
error-registrations-invite = Registration on this node needs an invitation from the secretariat.
error-too-many = Too many registrations from your address. Try again later.
error-agreement = Please accept the rules of this node.
error-reason = Tell the secretariat why you want to join.
account-invalid-username = Choose a username of 1 to 30 letters, digits or underscores.
account-reserved-username = This username is reserved. Choose another one.
account-username-taken = This username is already taken.
account-invalid-email = This e-mail address is not valid.
account-email-taken = This e-mail address is already in use.
account-weak-password = This password is too weak: use at least 8 characters, not a common password, and not your name or e-mail address.
account-too-long = One of the fields is too long.

home-title = Home
home-empty = Nothing here yet. Follow people and groups, or write your first post.
public-title = Public posts
public-intro = Public posts written on this node.
public-empty = No public posts yet.
tag-title = Posts tagged #{ $tag }
tag-empty = No posts with this tag yet.
thread-title = Thread
replies-label = Replies
pages-label = More posts
older-posts = Older posts

compose-label = What would you like to share?
compose-reply = Your reply
compose-warning = Content warning (optional)
compose-visibility = Who can see it
compose-submit = Publish
visibility-public = Public
visibility-unlisted = Unlisted
visibility-private = Followers only
visibility-direct = Mentioned people only
boosted-by = Boosted by
attachment = Attachment
action-replies = Replies
action-like = Like
action-boost = Boost
action-delete = Delete

profile-posts = Posts
profile-no-posts = No posts to show.
profile-original = See the original profile
profile-counts = { $posts ->
    [one] 1 post
   *[other] { $posts } posts
} · { $followers ->
    [one] 1 follower
   *[other] { $followers } followers
} · { $following } following

sessions-title = Signed-in browsers
sessions-intro = These browsers are signed in to your account. Sign out any you do not recognise.
sessions-browser = Browser
sessions-address = Address
sessions-started = Signed in
sessions-last-seen = Last used
sessions-actions = Actions
sessions-current = this browser
sessions-revoke = Sign out

about-apps-title = Apps
about-apps = Members sign in with any Mastodon-compatible app (Tusky, Elk, Phanpy, Ivory, toot) by typing this server:
about-contact = Contact:
members-count = { $count ->
    [one] 1 member
   *[other] { $count } members
}
registrations-open = Anyone may create an account
registrations-approval = Registrations are reviewed by the secretariat
registrations-invite = Registration by invitation
registrations-closed = Registrations are closed

nav-admin = Secretariat
error-staff-only = Only the node's secretariat may open this page.
admin-registrations-title = Registrations waiting for approval
admin-registrations-intro = Approve the people you expect; a rejected registration is removed.
admin-registrations-empty = No registration is waiting.
admin-requested = asked on
admin-no-reason = (no reason given)
admin-approve = Approve
admin-reject = Reject

oauth-title = Authorize an app
oauth-asks = asks to use your account. It will be able to:
oauth-signed-in-as = You are signed in as
oauth-authorize = Authorize
oauth-deny = Deny
oauth-invalid = Invalid username, e-mail address or password.
scope-read = see everything in your account: posts, follows, lists, notifications
scope-write = post, edit, delete, like and boost, and change your account for you
scope-follow = follow, unfollow, block and mute people and groups
scope-push = send you push notifications
scope-profile = see your profile (name, picture, handle) only
scope-read-part = see your { $what }
scope-write-part = change your { $what }
scope-admin-part = administer { $what }
scope-noun-accounts = account and profile
scope-noun-blocks = blocks
scope-noun-bookmarks = bookmarks
scope-noun-favourites = likes
scope-noun-filters = filters
scope-noun-follows = follows
scope-noun-lists = lists
scope-noun-mutes = mutes
scope-noun-notifications = notifications
scope-noun-search = searches
scope-noun-statuses = posts
scope-noun-media = pictures and files
scope-noun-reports = reports
scope-noun-conversations = conversations
compose-images = Images (optional)
compose-image = Image
compose-image-description = Description of image (for people who cannot see it)
error-too-large = The file is too large.

nav-groups = Groups
groups-title = Groups
groups-intro = The group spaces of this node, and the groups elsewhere that you joined.
groups-empty = No groups yet.
group-public = public group
group-members-only = members-only group space
group-elsewhere = on another server
group-members = { $count ->
    [one] 1 member
   *[other] { $count } members
}
group-join = Join
group-request = Ask to join
group-leave = Leave
group-pending = Your request is waiting for a steward.
group-cancel-request = Withdraw the request
group-banned = You were removed from this group by its stewards.
group-sign-in-to-join = Sign in to join this group
group-posts = Posts in this group
group-no-posts = No posts in this group yet.
group-members-only-notice = Only members see the posts of this group.

group-requests = Join requests
group-requests-empty = Nobody is waiting to join.
error-stewards-only = Only the stewards of this group may open this page.

nav-events = Events
events-title = Events
events-agenda = My agenda
events-agenda-empty = You have not signed up for any event yet.
events-upcoming = Coming up on this node
events-empty = No events planned yet.
events-subscribe = Subscribe to this node's calendar
event-online = Online
event-cancelled = Cancelled
event-by = Organised by
event-going-count = { $count ->
    [one] 1 person going
   *[other] { $count } people going
}
event-places-left = { $count ->
    [0] no place left: new answers join the waiting list
    [one] 1 place left
   *[other] { $count } places left
}
event-rsvp = Will you come?
event-going = Going
event-maybe = Maybe
event-no = Can't go
event-standing-going = You are going.
event-standing-waitlist = You are on the waiting list: you will get a place when one frees up.
event-standing-pending = Your participation waits for the organisers' approval.
event-standing-interested = You might come.
event-closed = Answers are closed.
event-sign-in = Sign in to answer
event-attendees = Who is going
event-no-attendees = Nobody yet.
event-add-to-calendar = Add to your calendar
event-original = See the original event

nav-notifications = Notifications
notifications-title = Notifications
notifications-empty = Nothing yet: likes, boosts, mentions and new followers show here.
older-notifications = Older notifications
notification-mention = { $name } mentioned you
notification-status = { $name } posted
notification-reblog = { $name } boosted your post
notification-favourite = { $name } liked your post
notification-follow = { $name } followed you
notification-follow_request = { $name } asks to follow you
notification-update = { $name } edited a post
notification-poll = A poll you took part in has ended
notification-admin-report = { $name } filed a report
notification-admin-sign_up = { $name } signed up
notification-other = { $name } did something
profile-follow = Follow
profile-unfollow = Unfollow
profile-requested = Follow request sent.

settings-profile = Profile and password
settings-display-name = Display name
settings-bio = About you
settings-locked = I approve who may follow me
settings-save = Save
settings-password = Password
settings-password-current = Current password
settings-password-new = New password
settings-password-change = Change the password
settings-password-changed = Your password was changed; your other browsers were signed out.
settings-password-wrong = The current password is wrong.

apps-title = Authorised apps
apps-intro = These apps may use your account. Take back access from any you no longer use.
apps-empty = No app may use your account.
apps-since = authorised on
apps-revoke = Revoke access
