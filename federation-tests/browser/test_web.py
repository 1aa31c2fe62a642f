"""Scenarios a teacher goes through in a browser (see conftest.py for the setup)."""

import json
import secrets

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import AXE, NODE_APPROVAL, NODE_OPEN, cli_approval

PASSWORD = "a long walk by the lake 7"


def png_file():
    """A real 3×2 PNG, written once to a temporary file for the file input."""
    import os
    import struct
    import tempfile
    import zlib
    path = os.path.join(tempfile.gettempdir(), "staffroom-browser-test.png")
    if not os.path.exists(path):
        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        raw = b"".join(b"\x00" + bytes([200, 30, 30] * 3) for _ in range(2))
        png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 2, 8, 2, 0, 0, 0))
               + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
        with open(path, "wb") as f:
            f.write(png)
    return path


def check_accessibility(d):
    """axe-core on the current page: no serious or critical violation (WCAG 2 A and AA)."""
    if not d.js_enabled or d.current_url in d.checked_pages:
        return
    d.checked_pages.append(d.current_url)
    d.execute_script(AXE)
    result = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
        ".then(r => done(JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.html).slice(0, 3)})))))"
        ".catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', help: String(e)}])));"
    )
    bad = [v for v in json.loads(result) if v["impact"] in ("serious", "critical")]
    assert not bad, f"accessibility violations on {d.current_url}: {json.dumps(bad, indent=1)}"


def visit(d, url):
    d.get(url)
    check_accessibility(d)


def fill(d, field_id, text):
    el = d.find_element(By.ID, field_id)
    el.clear()
    el.send_keys(text)


def click_and_wait(d, element):
    """Clicks a button that submits a form, and waits for the next page to replace this one."""
    old = d.find_element(By.TAG_NAME, "html").id

    def replaced(d):
        try:
            return d.find_element(By.TAG_NAME, "html").id != old
        except WebDriverException:  # between two documents
            return False

    element.click()
    WebDriverWait(d, 20).until(replaced)
    WebDriverWait(d, 20).until(lambda d: d.execute_script("return document.readyState") == "complete"
                               if d.js_enabled else d.find_elements(By.TAG_NAME, "body"))
    check_accessibility(d)


def submit(d, form_action):
    click_and_wait(d, d.find_element(By.CSS_SELECTOR, f"form[action='{form_action}'] button[type=submit]"))


def sign_up(d, node, name, reason=None):
    visit(d, f"{node}/auth/sign_up")
    fill(d, "username", name)
    fill(d, "email", f"{name}@school.example")
    fill(d, "password", PASSWORD)
    if reason is not None:
        fill(d, "reason", reason)
    d.find_element(By.ID, "agreement").click()
    submit(d, "/auth/sign_up")


def sign_in(d, node, login):
    visit(d, f"{node}/auth/sign_in")
    fill(d, "login", login)
    fill(d, "password", PASSWORD)
    submit(d, "/auth/sign_in")


def test_sign_up_post_like_and_sign_out(browser):
    d = browser
    name = "t" + secrets.token_hex(4)
    sign_up(d, NODE_OPEN, name)
    assert d.find_elements(By.CSS_SELECTOR, "form[action='/auth/sign_out']"), d.page_source
    fill(d, "status", "Our #workshop on formative assessment starts Monday")
    Select(d.find_element(By.ID, "visibility")).select_by_value("unlisted")
    d.find_element(By.ID, "media_1").send_keys(png_file())
    fill(d, "description_1", "A whiteboard with the workshop plan")
    submit(d, "/web/statuses")
    assert f"/@{name}/" in d.current_url
    article = d.find_element(By.CSS_SELECTOR, ".focus article")
    assert "formative assessment" in article.text
    image = article.find_element(By.CSS_SELECTOR, ".media img")
    assert image.get_attribute("alt") == "A whiteboard with the workshop plan"
    if d.js_enabled:
        assert d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) == 3
    assert "Unlisted" in article.text
    click_and_wait(d, article.find_element(By.CSS_SELECTOR, "form[action$='/favourite'] button"))
    article = d.find_element(By.CSS_SELECTOR, ".focus article")
    assert article.find_element(By.CSS_SELECTOR, "form[action$='/unfavourite'] button").get_attribute("aria-pressed") == "true"
    # Unlisted: not on the public page, but on the author's profile.
    visit(d, f"{NODE_OPEN}/public")
    assert "formative assessment" not in d.page_source
    visit(d, f"{NODE_OPEN}/@{name}")
    assert "formative assessment" in d.page_source
    # Signing out, then the sign-in form with an e-mail address.
    submit(d, "/auth/sign_out")
    assert d.find_elements(By.CSS_SELECTOR, "a[href='/auth/sign_in']")
    sign_in(d, NODE_OPEN, f"{name}@school.example")
    assert d.find_elements(By.CSS_SELECTOR, "form[action='/auth/sign_out']")
    visit(d, f"{NODE_OPEN}/settings/sessions")
    assert "this browser" in d.page_source


def test_approval_mode_sign_up_waits_for_the_secretariat(browser):
    d = browser
    name = "r" + secrets.token_hex(4)
    sign_up(d, NODE_APPROVAL, name, reason="I coordinate the physics workshops in Lyon")
    assert "The secretariat will review your registration" in d.page_source
    sign_in(d, NODE_APPROVAL, name)
    assert d.find_element(By.CSS_SELECTOR, "[role=alert]").text.startswith("The username")
    assert name in cli_approval("admin", "pending")
    # The secretariat approves in the browser.
    secretary = "s" + secrets.token_hex(4)
    cli_approval("admin", "create-user", secretary, "--email", f"{secretary}@school.example",
                 "--role", "admin", "--password", PASSWORD)
    sign_in(d, NODE_APPROVAL, secretary)
    d.find_element(By.CSS_SELECTOR, "a[href='/admin/registrations']").click()
    check_accessibility(d)
    entry = d.find_element(By.XPATH, f"//article[.//h2[text()='@{name}']]")
    assert "physics workshops in Lyon" in entry.text
    click_and_wait(d, entry.find_element(By.CSS_SELECTOR, "form[action$='/approve'] button"))
    assert f"@{name}" not in d.find_element(By.TAG_NAME, "main").text
    submit(d, "/auth/sign_out")
    sign_in(d, NODE_APPROVAL, name)
    assert d.find_elements(By.CSS_SELECTOR, "form[action='/auth/sign_out']"), d.page_source


def test_switching_the_interface_to_french_and_german(browser):
    d = browser
    visit(d, f"{NODE_OPEN}/about")
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    for tag, words in (("fr", "Se connecter"), ("tr", "Giriş yap"), ("de", "Anmelden")):
        Select(d.find_element(By.ID, "language-choice")).select_by_value(tag)
        submit(d, "/settings/language")
        assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == tag
        assert words in d.page_source
        assert "/about" in d.current_url
    # Pages in German for a new member too.
    name = "g" + secrets.token_hex(4)
    sign_up(d, NODE_OPEN, name)
    assert "Startseite" in d.page_source and "Veröffentlichen" in d.page_source


def test_pages_for_visitors_are_accessible(browser):
    d = browser
    for path in ("/", "/public", "/about", "/auth/sign_in", "/auth/sign_up", "/tags/workshop"):
        visit(d, f"{NODE_OPEN}{path}")
        assert d.find_element(By.TAG_NAME, "h1").text
    # Keyboard: the first Tab reaches the skip link.
    visit(d, f"{NODE_OPEN}/")
    from selenium.webdriver.common.keys import Keys
    d.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert d.switch_to.active_element.get_attribute("class") == "skip"


def api(node, method, path, body=None, token=None):
    import urllib.request
    data = None if body is None else urllib.parse.urlencode(body).encode()
    req = urllib.request.Request(f"{node}{path}", data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=20) as r:
        return json.loads(r.read())


def test_an_app_signs_in_through_the_existing_session(browser):
    import urllib.parse
    d = browser
    name = "o" + secrets.token_hex(4)
    sign_up(d, NODE_OPEN, name)
    oob = "urn:ietf:wg:oauth:2.0:oob"
    reg = api(NODE_OPEN, "POST", "/api/v1/apps",
              {"client_name": "Phanpy", "redirect_uris": oob, "scopes": "read write follow"})
    query = urllib.parse.urlencode({"client_id": reg["client_id"], "redirect_uri": oob,
                                    "response_type": "code", "scope": "read write"})
    visit(d, f"{NODE_OPEN}/oauth/authorize?{query}")
    assert "You are signed in as" in d.page_source
    assert "see everything in your account" in d.page_source
    assert not d.find_elements(By.ID, "password")
    click_and_wait(d, d.find_element(By.XPATH, "//form[@action='/oauth/authorize']//button[not(@name)]"))
    code = d.find_element(By.ID, "code").text
    token = api(NODE_OPEN, "POST", "/oauth/token",
                {"grant_type": "authorization_code", "code": code, "client_id": reg["client_id"],
                 "client_secret": reg["client_secret"], "redirect_uri": oob})
    me = api(NODE_OPEN, "GET", "/api/v1/accounts/verify_credentials", token=token["access_token"])
    assert me["username"] == name


def test_a_steward_approves_a_join_request_in_the_browser(browser):
    d = browser
    suffix = secrets.token_hex(3)
    steward, member, group = f"st{suffix}", f"mb{suffix}", f"lab{suffix}"
    for who in (steward, member):
        cli_approval("admin", "create-user", who, "--email", f"{who}@school.example", "--password", PASSWORD)
    cli_approval("group", "create", group, "--owner", steward, "--display-name", f"Physics lab {suffix}",
                 "--members-only")
    sign_in(d, NODE_APPROVAL, member)
    visit(d, f"{NODE_APPROVAL}/groups")
    click_and_wait(d, d.find_element(By.LINK_TEXT, f"Physics lab {suffix}"))
    assert "Only members see the posts" in d.page_source
    click_and_wait(d, d.find_element(By.XPATH, "//button[text()='Ask to join']"))
    assert "Your request is waiting for a steward" in d.page_source
    submit(d, "/auth/sign_out")

    sign_in(d, NODE_APPROVAL, steward)
    visit(d, f"{NODE_APPROVAL}/@{group}")
    click_and_wait(d, d.find_element(By.PARTIAL_LINK_TEXT, "Join requests (1)"))
    row = d.find_element(By.XPATH, f"//li[.//span[contains(text(), '@{member}@')]]")
    click_and_wait(d, row.find_element(By.XPATH, ".//button[text()='Approve']"))
    assert "Nobody is waiting" in d.page_source
    submit(d, "/auth/sign_out")

    sign_in(d, NODE_APPROVAL, member)
    visit(d, f"{NODE_APPROVAL}/@{group}")
    fill(d, "status", "Bring your lab coats on Thursday")
    submit(d, "/web/statuses")
    visit(d, f"{NODE_APPROVAL}/@{group}")
    assert "Bring your lab coats" in d.find_element(By.CSS_SELECTOR, "section.feed").text
