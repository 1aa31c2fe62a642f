//! Local member accounts: the rules for names, emails and passwords; creation with a key pair;
//! roles and suspension.

use std::fmt;
use std::str::FromStr;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

use crate::app::AppState;
use crate::federation::actors::new_local_actor;
use crate::storage::actors::{self, ActorRow, KIND_PERSON};
use crate::storage::users::{self, UserRow};
use crate::storage::{self, is_unique_violation};
use crate::text::plain_to_html;

pub const USERNAME_MAX: usize = 30;
pub const PASSWORD_MIN: usize = 8;
/// argon2 cost grows with input; a bound keeps a huge "password" from being a denial of service.
pub const PASSWORD_MAX: usize = 128;
pub const EMAIL_MAX: usize = 254;
pub const DISPLAY_NAME_MAX: usize = 100;
pub const BIO_MAX: usize = 2000;

/// Names that routes, the node's own groups and impersonation risks keep for the node.
const RESERVED_USERNAMES: &[&str] = &[
    "actor",
    "admin_api",
    "api",
    "about",
    "calendar",
    "coffeeshop",
    "groups",
    "health",
    "inbox",
    "media",
    "nodeinfo",
    "oauth",
    "ready",
    "reception",
    "root",
    "secretariat",
    "settings",
    "static",
    "staffroom",
    "support",
    "system",
    "users",
    "webmaster",
    "well_known",
];

/// The most common passwords of public breach lists; the rest is length.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password123",
    "12345678",
    "123456789",
    "1234567890",
    "qwertyuiop",
    "qwerty123",
    "iloveyou",
    "11111111",
    "abc12345",
    "abcd1234",
    "letmein1",
    "welcome1",
    "sunshine",
    "football",
    "baseball",
    "princess",
    "dragon12",
    "passw0rd",
    "trustno1",
    "superman",
    "qwertyui",
    "azertyuiop",
    "teacher1",
    "school123",
    "changeme",
    "administrator",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The node's secretariat.
    Admin,
    Moderator,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Moderator => "moderator",
            Role::Member => "member",
        }
    }
}

impl FromStr for Role {
    type Err = AccountError;
    fn from_str(s: &str) -> Result<Role, AccountError> {
        match s {
            "admin" => Ok(Role::Admin),
            "moderator" => Ok(Role::Moderator),
            "member" => Ok(Role::Member),
            other => Err(AccountError::InvalidRole(other.to_owned())),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an account operation was refused. The messages are safe to show to whoever asked.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid username {0:?}: use 1 to 30 letters, digits or underscores")]
    InvalidUsername(String),
    #[error("the username {0:?} is reserved")]
    ReservedUsername(String),
    #[error("the username {0:?} is already taken")]
    UsernameTaken(String),
    #[error("invalid email address {0:?}")]
    InvalidEmail(String),
    #[error("the email address {0:?} is already in use")]
    EmailTaken(String),
    #[error("password too weak: {0}")]
    WeakPassword(&'static str),
    #[error("invalid role {0:?}: expected admin, moderator or member")]
    InvalidRole(String),
    #[error("{0} must be at most {1} characters")]
    TooLong(&'static str, usize),
    #[error("no local account named {0:?}")]
    NotFound(String),
    #[error("{0:?} is the last admin of this node: make another admin first")]
    LastAdmin(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Internal(e.into())
    }
}

pub fn validate_username(name: &str) -> Result<(), AccountError> {
    if name.is_empty()
        || name.chars().count() > USERNAME_MAX
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(AccountError::InvalidUsername(name.to_owned()));
    }
    if RESERVED_USERNAMES.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(AccountError::ReservedUsername(name.to_owned()));
    }
    Ok(())
}

/// A pragmatic check of the form `local@domain.tld`; delivery is what proves an address.
pub fn validate_email(email: &str) -> Result<(), AccountError> {
    let bad = || AccountError::InvalidEmail(email.to_owned());
    if email.len() > EMAIL_MAX || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = email.rsplit_once('@').ok_or_else(bad)?;
    if local.is_empty() || local.contains('@') || !crate::config::is_valid_domain(domain) || !domain.contains('.') {
        return Err(bad());
    }
    Ok(())
}

pub fn validate_password(password: &str, username: &str, email: &str) -> Result<(), AccountError> {
    let len = password.chars().count();
    if len < PASSWORD_MIN {
        return Err(AccountError::WeakPassword("use at least 8 characters"));
    }
    if len > PASSWORD_MAX {
        return Err(AccountError::WeakPassword("use at most 128 characters"));
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err(AccountError::WeakPassword("this is one of the most common passwords"));
    }
    let mut chars = lower.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err(AccountError::WeakPassword(
            "a single repeated character is easy to guess",
        ));
    }
    let local_part = email.split('@').next().unwrap_or_default().to_lowercase();
    if (username.len() >= 3 && lower.contains(&username.to_lowercase()))
        || (local_part.len() >= 3 && lower.contains(&local_part))
    {
        return Err(AccountError::WeakPassword(
            "it must not contain the username or email address",
        ));
    }
    Ok(())
}

/// argon2id with the library's defaults (19 MiB, 2 passes: OWASP's recommendation), off the
/// async workers because it is deliberately slow.
pub async fn hash_password(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
    })
    .await?
}

pub async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// What is needed to create a local member.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub email: String,
    pub password: String,
    pub role: Role,
    pub display_name: String,
    pub bio: String,
    /// False while a registration waits for the secretariat's approval.
    pub approved: bool,
}

/// A local member: their actor and their sign-in row.
#[derive(Debug, Clone)]
pub struct Account {
    pub actor: ActorRow,
    pub user: UserRow,
}

impl Account {
    pub fn role(&self) -> Role {
        self.user.role.parse().unwrap_or(Role::Member)
    }
}

pub async fn create(state: &AppState, new: NewAccount) -> Result<Account, AccountError> {
    let username = new.username.trim().to_owned();
    let email = new.email.trim().to_owned();
    validate_username(&username)?;
    validate_email(&email)?;
    validate_password(&new.password, &username, &email)?;
    if new.display_name.chars().count() > DISPLAY_NAME_MAX {
        return Err(AccountError::TooLong("display name", DISPLAY_NAME_MAX));
    }
    if new.bio.chars().count() > BIO_MAX {
        return Err(AccountError::TooLong("bio", BIO_MAX));
    }
    // Cheap checks first, so a taken name does not cost a key pair and a hash.
    if actors::find_local(&state.db, &username).await?.is_some() {
        return Err(AccountError::UsernameTaken(username));
    }
    if users::email_taken(&state.db, &email).await? {
        return Err(AccountError::EmailTaken(email));
    }
    let password_hash = hash_password(&new.password).await?;
    let mut actor = new_local_actor(&state.urls, KIND_PERSON, &username).await?;
    actor.display_name = new.display_name.trim().to_owned();
    actor.summary_source = new.bio.clone();
    actor.summary_html = plain_to_html(&new.bio);
    let user = UserRow {
        id: actor.id,
        email,
        password_hash,
        role: new.role.as_str().to_owned(),
        approved: new.approved,
        last_active_at: None,
        created_at: actor.created_at,
        updated_at: actor.created_at,
    };
    match users::insert_with_actor(&state.db, &actor, &user).await {
        Ok(()) => Ok(Account { actor, user }),
        // Lost a race with another request or process: report which name was taken.
        Err(e) if is_unique_violation(&e) => {
            if actors::find_local(&state.db, &username).await?.is_some() {
                Err(AccountError::UsernameTaken(username))
            } else {
                Err(AccountError::EmailTaken(user.email))
            }
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn find(state: &AppState, username: &str) -> Result<Account, AccountError> {
    let not_found = || AccountError::NotFound(username.to_owned());
    let actor = actors::find_local(&state.db, username)
        .await?
        .filter(|a| a.kind == KIND_PERSON)
        .ok_or_else(not_found)?;
    let user = users::find_by_id(&state.db, actor.id).await?.ok_or_else(not_found)?;
    Ok(Account { actor, user })
}

/// Refuses a change that would leave the node without an active admin.
async fn ensure_not_last_admin(state: &AppState, account: &Account) -> Result<(), AccountError> {
    if account.role() == Role::Admin && !account.actor.is_suspended() && users::count_admins(&state.db).await? <= 1 {
        return Err(AccountError::LastAdmin(account.actor.username.clone()));
    }
    Ok(())
}

pub async fn set_role(state: &AppState, username: &str, role: Role) -> Result<Account, AccountError> {
    let mut account = find(state, username).await?;
    if role != Role::Admin {
        ensure_not_last_admin(state, &account).await?;
    }
    users::set_role(&state.db, account.user.id, role.as_str()).await?;
    account.user.role = role.as_str().to_owned();
    Ok(account)
}

/// Suspends (or with `suspend = false` lifts the suspension of) a member: a suspended member
/// cannot sign in, and their actor answers 410 Gone.
pub async fn set_suspended(state: &AppState, username: &str, suspend: bool) -> Result<Account, AccountError> {
    let mut account = find(state, username).await?;
    if suspend {
        ensure_not_last_admin(state, &account).await?;
    }
    let at = suspend.then(storage::now);
    actors::set_suspended(&state.db, account.actor.id, at).await?;
    account.actor.suspended_at = at;
    Ok(account)
}

/// A registration by someone who is not a member yet (from an app or the sign-up page).
#[derive(Debug, Default)]
pub struct Registration {
    pub username: String,
    pub email: String,
    pub password: String,
    /// They accepted the node's rules.
    pub agreement: bool,
    /// Why they want to join (required when the secretariat approves registrations).
    pub reason: Option<String>,
}

/// Why a registration was refused; the messages are safe to show.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("Registrations are closed on this node")]
    Closed,
    #[error("Registration on this node needs an invitation from the secretariat")]
    InviteOnly,
    #[error("Too many registrations from your address: try again later")]
    TooMany,
    #[error("you must accept the node's rules (agreement)")]
    NoAgreement,
    #[error("tell the secretariat why you want to join (reason)")]
    NoReason,
    #[error(transparent)]
    Account(#[from] AccountError),
}

/// The most characters of a registration's reason.
pub const REASON_MAX: usize = 1000;

/// Registers a member as the node's mode allows: at once (`open`) or waiting for the
/// secretariat (`approval`, with a reason); at most `api.registrations_per_hour` per address.
pub async fn register(state: &AppState, ip: std::net::IpAddr, r: Registration) -> Result<Account, RegisterError> {
    use crate::config::Registrations;
    match state.config.registrations {
        Registrations::Closed => return Err(RegisterError::Closed),
        Registrations::Invite => return Err(RegisterError::InviteOnly),
        Registrations::Open | Registrations::Approval => {}
    }
    let allowed = crate::services::limits::allow(
        state,
        "register",
        ip,
        state.config.api.registrations_per_hour,
        std::time::Duration::from_secs(3600),
    )
    .await
    .map_err(AccountError::Internal)?;
    if !allowed {
        return Err(RegisterError::TooMany);
    }
    if !r.agreement {
        return Err(RegisterError::NoAgreement);
    }
    let approval = state.config.registrations == Registrations::Approval;
    let reason = r.reason.as_deref().unwrap_or("").trim();
    if approval && reason.is_empty() {
        return Err(RegisterError::NoReason);
    }
    if reason.chars().count() > REASON_MAX {
        return Err(AccountError::TooLong("reason", REASON_MAX).into());
    }
    let account = create(
        state,
        NewAccount {
            username: r.username,
            email: r.email,
            password: r.password,
            role: Role::Member,
            display_name: String::new(),
            bio: String::new(),
            approved: !approval,
        },
    )
    .await?;
    if !reason.is_empty() {
        users::set_registration_reason(&state.db, account.user.id, reason)
            .await
            .map_err(AccountError::from)?;
    }
    Ok(account)
}

/// The secretariat's decision on a registration waiting for approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// Approves (the member can sign in) or rejects (the account is removed) a waiting
/// registration; `false` when there is no such registration waiting.
pub async fn decide_registration(state: &AppState, user_id: i64, decision: Decision) -> Result<bool, AccountError> {
    Ok(match decision {
        Decision::Approve => users::set_approved(&state.db, user_id).await?,
        Decision::Reject => users::delete_unapproved(&state.db, user_id).await?,
    })
}

/// Checks a member's password (by username or email). Unknown, suspended and unapproved
/// accounts fail alike, and an unknown name costs the same time as a wrong password.
pub async fn authenticate(state: &AppState, login: &str, password: &str) -> Option<Account> {
    if password.len() > PASSWORD_MAX * 4 {
        return None;
    }
    let Ok(Some(id)) = users::find_by_login(&state.db, login.trim()).await else {
        let _ = verify_password(password, dummy_hash()).await;
        return None;
    };
    let actor = actors::find_by_id(&state.db, id).await.ok()??;
    let user = users::find_by_id(&state.db, id).await.ok()??;
    let ok = verify_password(password, &user.password_hash).await;
    if ok {
        let _ = users::touch(&state.db, id, storage::now()).await;
    }
    (ok && !actor.is_suspended() && user.approved).then_some(Account { actor, user })
}

/// The argon2id hash of a random password, computed once: checked against when the name is
/// unknown, so that answering costs the same either way.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(&rand::random::<[u8; 16]>(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Why a password change was refused.
#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    #[error("the current password is wrong")]
    WrongCurrent,
    #[error(transparent)]
    Account(#[from] AccountError),
}

/// Changes a member's password after checking the current one; every other web session of
/// theirs ends (`keep_session` is the browser that asked).
pub async fn change_password(
    state: &AppState,
    account: &Account,
    current: &str,
    new: &str,
    keep_session: Option<i64>,
) -> Result<(), PasswordChangeError> {
    let fresh = users::find_by_id(&state.db, account.user.id)
        .await
        .map_err(AccountError::from)?
        .ok_or_else(|| AccountError::NotFound(account.actor.username.clone()))?;
    if current.len() > PASSWORD_MAX * 4 || !verify_password(current, &fresh.password_hash).await {
        return Err(PasswordChangeError::WrongCurrent);
    }
    validate_password(new, &account.actor.username, &fresh.email)?;
    let hash = hash_password(new).await.map_err(AccountError::Internal)?;
    users::set_password_hash(&state.db, fresh.id, &hash)
        .await
        .map_err(AccountError::from)?;
    crate::storage::web_sessions::delete_others(&state.db, fresh.id, keep_session.unwrap_or(0))
        .await
        .map_err(AccountError::from)?;
    Ok(())
}

/// Changes to a member's profile; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub locked: Option<bool>,
    pub discoverable: Option<bool>,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
}

/// Updates a member's profile and tells their followers' servers (an `Update` of the actor).
pub async fn update_profile(state: &AppState, actor: &ActorRow, u: ProfileUpdate) -> Result<ActorRow, AccountError> {
    let mut a = actor.clone();
    if let Some(name) = u.display_name {
        if name.chars().count() > DISPLAY_NAME_MAX {
            return Err(AccountError::TooLong("display name", DISPLAY_NAME_MAX));
        }
        a.display_name = name.trim().to_owned();
    }
    if let Some(bio) = u.bio {
        if bio.chars().count() > BIO_MAX {
            return Err(AccountError::TooLong("bio", BIO_MAX));
        }
        a.summary_html = plain_to_html(&bio);
        a.summary_source = bio;
    }
    if let Some(l) = u.locked {
        a.manually_approves_followers = l;
    }
    if let Some(d) = u.discoverable {
        a.discoverable = d;
    }
    if u.avatar_url.is_some() {
        a.avatar_url = u.avatar_url;
    }
    if u.header_url.is_some() {
        a.header_url = u.header_url;
    }
    a.updated_at = storage::now();
    actors::update_profile(&state.db, &a).await?;
    let followers = crate::storage::follows::follower_actors(&state.db, a.id).await?;
    let inboxes = crate::federation::delivery::inboxes_for(state, followers.iter());
    let document =
        crate::federation::actors::with_ed25519_key(&state.db, &a, crate::federation::actors::local_actor_to_ap(&a)?)
            .await?;
    let object = serde_json::to_value(document).map_err(anyhow::Error::from)?;
    let update = crate::federation::activities::actors::update_actor(
        state.urls.activity(crate::ids::new_id()).as_str(),
        &object,
        a.followers_url.as_deref(),
    );
    let mut tx = state.db.begin().await?;
    crate::federation::delivery::queue(&mut tx, &a, &update, &inboxes).await?;
    tx.commit().await?;
    state.delivery_wake.notify_one();
    Ok(a)
}
