"""Screenshots what an annotator sees in Label Studio: one task, opened in the
labelling view with its pre-annotations, in headless Chromium (Debian's
`chromium`), driven over the DevTools protocol.

  python tools/label_studio_screenshot.py URL EMAIL PASSWORD PROJECT TASK OUT.png

Needs `websocket-client` (pip) in the Python that runs it; logs in as a person
does (the login form), so the session is an annotator's, not an API token's.
"""
import base64
import http.cookiejar
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import websocket


def login(url, email, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(url + "/user/login/").read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "email": email,
                                   "password": password}).encode()
    opener.open(urllib.request.Request(url + "/user/login/", data=form,
                                       headers={"Referer": url + "/user/login/"}))
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        sys.exit("login failed: no session cookie")
    return cookies


def main(url, email, password, project, task, out):
    url = url.rstrip("/")
    cookies = login(url, email, password)
    profile = tempfile.mkdtemp()
    chromium = subprocess.Popen(
        ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
         "--remote-debugging-port=9333", f"--user-data-dir={profile}",
         "--window-size=1500,950", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                targets = json.load(urllib.request.urlopen("http://127.0.0.1:9333/json"))
                page = next(t for t in targets if t["type"] == "page")
                break
            except Exception:
                time.sleep(0.2)
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        ids = iter(range(1, 10**6))

        def call(method, **params):
            message_id = next(ids)
            ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
            while True:
                reply = json.loads(ws.recv())
                if reply.get("id") == message_id:
                    return reply.get("result", {})

        call("Network.enable")
        host = urllib.parse.urlparse(url).hostname
        for name, value in cookies.items():
            call("Network.setCookie", name=name, value=value, domain=host, path="/")
        call("Page.enable")
        call("Page.navigate", url=f"{url}/projects/{project}/data?task={task}")
        time.sleep(15)  # the labelling view loads its scripts and the image
        shot = call("Page.captureScreenshot", format="png")
        with open(out, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        print(f"wrote {out}")
    finally:
        chromium.kill()


if __name__ == "__main__":
    main(*sys.argv[1:7])
