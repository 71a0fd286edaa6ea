#!/usr/bin/env python3
"""Open311 GeoReport v2 interoperability check against a live server.

Usage: python scripts/open311-clients.py BASE_URL API_KEY
  BASE_URL  server root, e.g. http://127.0.0.1:8080 (the endpoint is BASE_URL/open311/v2)
  API_KEY   a valid Open311 api_key (only the POSTs use it)

Reads with the PyPI client `georeport` as published (JSON, then XML); writes with plain
HTTP exactly as the spec describes. Install: pip install -r scripts/requirements-interop.txt
Prints one line per passed step; exits 1 at the first failure.
"""
import base64
import signal
import sys
import xml.etree.ElementTree as ET

import requests
from georeport import GeoReport

LAT, LONG = "30.6571", "104.0806"  # 春熙路, Chengdu, WGS84
PNG = base64.b64decode(  # a valid 1×1 RGB PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")
TIMEOUT = 30  # seconds per plain HTTP call; georeport sets none, so the whole run has an alarm
step = "start"


def ok(msg):
    print(f"ok    {msg}", flush=True)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def as_list(x):
    """xmltodict gives None / a dict / a list for 0 / 1 / n children; JSON gives a list."""
    return [] if x is None else x if isinstance(x, list) else [x]


def is_true(v):
    return v is True or v == "true"  # JSON boolean or XML text


def read_with_georeport(v2, fmt):
    """Service list, one definition, request list, one request, via georeport."""
    global step
    client = GeoReport(v2, output_format=fmt)  # no jurisdiction: the parameter is optional

    step = f"[{fmt}] georeport get_service_list"
    raw = client.get_service_list()
    check(fmt == "xml" or isinstance(raw, list), f"services.json is not a JSON array: {raw!r:.200}")
    services = as_list(raw)
    check(services, "the service list is empty")
    for s in services:
        check(s.get("service_code") and s.get("service_name"), f"service lacks service_code/service_name: {s}")
        if fmt == "json":
            check(isinstance(s["service_code"], str), f"service_code is not a string: {s}")
            check(isinstance(s.get("metadata"), bool), f"metadata is not a JSON boolean: {s}")
    ok(f"[{fmt}] services: {len(services)}")

    step = f"[{fmt}] georeport get_service_definition"
    with_meta = [s for s in services if is_true(s.get("metadata"))]
    if with_meta:
        code = with_meta[0]["service_code"]
        d = client.get_service_definition(code)
        check(isinstance(d, dict) and d.get("service_code") == code, f"definition of {code} is {d!r:.300}")
        attrs = d.get("attributes")
        attrs = as_list((attrs or {}).get("attribute")) if fmt == "xml" else attrs
        check(isinstance(attrs, list), f"definition of {code}: attributes is not a list: {d!r:.300}")
        for a in attrs:
            check(a.get("code") and a.get("datatype"), f"attribute lacks code/datatype: {a}")
        ok(f"[{fmt}] service definition {code}: {len(attrs)} attributes")
    else:
        ok(f"[{fmt}] service definition: skipped, no service has metadata=true")

    step = f"[{fmt}] georeport get_service_requests"
    raw = client.get_service_requests()
    check(fmt == "xml" or isinstance(raw, list), f"requests.json is not a JSON array: {raw!r:.200}")
    found = as_list(raw)
    check(found, "the request list is empty (the server should run with demo data)")
    rid = found[0].get("service_request_id")
    check(rid, f"request lacks service_request_id: {found[0]}")
    check(fmt == "xml" or isinstance(rid, str), f"service_request_id is not a string: {rid!r}")
    ok(f"[{fmt}] requests: {len(found)}")

    step = f"[{fmt}] georeport get_service_request({rid})"
    one = client.get_service_request(rid)
    check(isinstance(one, dict) and one.get("service_request_id") == rid, f"requests/{rid} gave {one!r:.300}")
    ok(f"[{fmt}] request {rid}: status {one.get('status')}")
    return services


def post(v2, fmt, data, files=None):
    return requests.post(f"{v2}/requests.{fmt}", data=data, files=files, timeout=TIMEOUT)


def created_id(r, what):
    check(r.ok, f"{what}: HTTP {r.status_code}: {r.text[:300]}")
    check("json" in r.headers.get("content-type", ""), f"{what}: content-type {r.headers.get('content-type')}")
    body = r.json()
    check(isinstance(body, list) and len(body) == 1 and isinstance(body[0], dict),
          f"{what}: not a one-element JSON array of objects: {body!r:.300}")
    rid = body[0].get("service_request_id")
    check(isinstance(rid, str) and rid, f"{what}: no string service_request_id: {body}")
    return rid


def write_with_http(v2, api_key, services):
    global step
    plain = [s for s in services if not is_true(s.get("metadata"))]
    check(plain, "no service has metadata=false to post to")
    code = plain[0]["service_code"]
    form = {"api_key": api_key, "service_code": code, "lat": LAT, "long": LONG}

    step = "GET discovery.json"
    r = requests.get(f"{v2}/discovery.json", timeout=TIMEOUT)
    check(r.status_code == 200 and r.json().get("endpoints"), f"discovery: HTTP {r.status_code}: {r.text[:300]}")
    ok("discovery.json lists endpoints")

    step = "POST requests.json (form-encoded)"
    rid = created_id(post(v2, "json", {**form, "description": "井盖松动 interop check (json)"}), step)
    ok(f"POST requests.json → {rid}")

    step = f"GET requests/{rid}.json"
    r = requests.get(f"{v2}/requests/{rid}.json", timeout=TIMEOUT)
    check(r.status_code == 200, f"HTTP {r.status_code}: {r.text[:300]}")
    body = r.json()
    check(isinstance(body, list) and len(body) == 1, f"not a one-element array: {body!r:.300}")
    check(body[0].get("service_request_id") == rid and body[0].get("service_code") == code,
          f"expected id {rid}, service_code {code}: {body[0]}")
    ok(f"GET requests/{rid}.json: service_code {code}")

    step = "georeport get_service_requests(service_request_id=...)"
    again = GeoReport(v2).get_service_requests(service_request_id=rid)
    check([x.get("service_request_id") for x in again] == [rid], f"filter by id gave {again!r:.300}")
    ok("requests.json?service_request_id= finds it")

    step = "POST requests.xml (form-encoded)"
    r = post(v2, "xml", {**form, "description": "路灯不亮 interop check (xml)"})
    check(r.ok and "xml" in r.headers.get("content-type", ""),
          f"HTTP {r.status_code}, {r.headers.get('content-type')}: {r.text[:300]}")
    root = ET.fromstring(r.content)
    xid = root.findtext("request/service_request_id")
    check(root.tag == "service_requests" and xid, f"want <service_requests><request><service_request_id>: {r.text[:300]}")
    ok(f"POST requests.xml → {xid}")

    step = "POST requests.json (multipart with media)"
    files = {"media": ("pixel.png", PNG, "image/png")}
    mid = created_id(post(v2, "json", {**form, "description": "垃圾堆放 interop check (media)"}, files), step)
    ok(f"POST requests.json multipart + media → {mid}")

    step = "POST requests.json without service_code"
    bad = {k: v for k, v in form.items() if k != "service_code"}
    r = post(v2, "json", bad)
    check(r.status_code == 400, f"want 400, got HTTP {r.status_code}: {r.text[:300]}")
    errs = r.json()
    check(isinstance(errs, list) and errs and all(isinstance(e, dict) and "code" in e and "description" in e
                                                  for e in errs), f"want [{{code, description}}]: {errs!r:.300}")
    ok(f"missing service_code → 400 {errs[0]['description']!r}")

    step = "POST requests.json with a wrong api_key"
    r = post(v2, "json", {**form, "api_key": api_key + "-wrong"})
    check(r.status_code == 403, f"want 403, got HTTP {r.status_code}: {r.text[:300]}")
    ok("wrong api_key → 403")


def on_alarm(*_):
    raise TimeoutError("the whole run took over 180 s")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    v2 = sys.argv[1].rstrip("/") + "/open311/v2"
    api_key = sys.argv[2]
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(180)
    try:
        services = read_with_georeport(v2, "json")
        read_with_georeport(v2, "xml")
        write_with_http(v2, api_key, services)
    except requests.HTTPError as e:  # georeport raises these for 4xx/5xx
        sys.exit(f"FAIL  {step}: HTTP {e.response.status_code} at {e.response.url}: {e.response.text[:300]}")
    except Exception as e:
        sys.exit(f"FAIL  {step}: {type(e).__name__}: {e}")
    print("Open311 interop: all steps passed")


if __name__ == "__main__":
    main()
