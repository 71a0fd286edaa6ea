"""The generated-client check, Python side: a client generated from
/api/openapi.json by openapi-python-client (PyPI) runs the loop against a live
demo server: sign in, report a matter, list it, run a command, read the
timeline. Exits non-zero with the reason on the first surprise.

Usage: python flow.py BASE_URL CLIENT_PARENT_DIR   (the client package is
`shanzhi_client` inside CLIENT_PARENT_DIR; scripts/clients/README.md).
"""

import sys

base, parent = sys.argv[1], sys.argv[2]
sys.path.insert(0, parent)

from shanzhi_client import AuthenticatedClient, Client  # noqa: E402
from shanzhi_client.api.auth import sign_in  # noqa: E402
from shanzhi_client.api.matters import (  # noqa: E402
    list_matters,
    report_matter,
    run_matter_command,
    show_matter_timeline,
)
from shanzhi_client.models import (  # noqa: E402
    IntakeAnswer,
    LoginAnswer,
    LoginBody,
    MatterPage,
    ReportBody,
    RunMatterCommandBody,
)

PASSWORD = "Shanzhi-Demo-2026"


def check(ok, what):
    if not ok:
        sys.exit(f"python client: {what}")


def signed_in(username):
    answer = sign_in.sync(client=Client(base_url=base), body=LoginBody(username=username, password=PASSWORD))
    check(isinstance(answer, LoginAnswer), f"sign-in of {username} answered {answer!r}")
    return AuthenticatedClient(base_url=base, token=answer.token)


resident = signed_in("demo_resident")
words = "生成的 Python 客户端上报"
report = ReportBody(category="0110", description=f"{words}：人行道井盖缺失", lng=104.11912, lat=30.60931)
answer = report_matter.sync(client=resident, body=report)
check(isinstance(answer, IntakeAnswer), f"report answered {answer!r}")
matter = answer.matter
check(matter.state == "reported", f"a new matter is {matter.state}")

dispatcher = signed_in("demo_dispatcher")
page = list_matters.sync(client=dispatcher, state="reported", q=words)
check(isinstance(page, MatterPage), f"list answered {page!r}")
check(any(m.id == matter.id for m in page.items), f"{matter.number} is not among the reported matters")

accepted = run_matter_command.sync(matter.id, "accept", client=dispatcher, body=RunMatterCommandBody())
check(getattr(accepted, "state", None) == "filed", f"accept answered {accepted!r}")

timeline = show_matter_timeline.sync(matter.id, client=dispatcher)
check(isinstance(timeline, list), f"timeline answered {timeline!r}")
commands = [str(e.command) for e in timeline]
check(commands == ["report", "accept"], f"timeline commands {commands}")
print(f"python client: {matter.number} reported, listed, accepted; timeline {commands}")
