"""`make mutate`: do the tests catch what they claim? Mutation testing with
mutmut over the modules that carry promises (docs/development.md, "Mutation testing").

mutmut plants one small bug at a time (a flipped comparison, `and` for `or`,
a changed number or string, a dropped argument) in a copy of the code and
runs the tests that reach the mutated function; a mutant the tests let
through "survives". Each survivor is either killed by a better test or
written down in tests/MUTANTS.md as equivalent (it cannot change behaviour),
with the reason.

Each target below names the module, optionally the functions that carry its
promise (the rest of the module is not mutated), and the test files that
exercise it. mutmut runs those files once with tracing and then, for each
mutant, only the tests that reached its function: the per-module selection
is narrowed to a per-function one.

mutmut leaves decorated functions (properties, context managers, aiohttp
middlewares) and module-level code unmutated. The bugs the audit planted by
hand (`PLANTED`), some of them in such places, are planted again on every
run and must each be caught by the test named.

    python -m tests.mutate                       # every target
    python -m tests.mutate bot/catalog/cases.py ...       # some targets
    python -m tests.mutate --report [modules]     # the last run's figures again

Each run works in its own copy of the project, build/mutation/<run>/ ("all",
or the modules' names; mutmut's `mutants/` is inside): `cd
build/mutation/<run> && ../../../.venv/bin/mutmut show NAME` shows a mutant,
`mutmut browse` all of them. Exit status 1 when a module scores under
`TARGET_SCORE`, a survivor is not in MUTANTS.md, or a planted bug is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.pg_server import SHARED_PORT_ENV, PostgresServer, find_bindir

ROOT = Path(__file__).resolve().parent.parent
RUNS = ROOT / "build" / "mutation"  # one folder per selection of targets: "all", or the modules
LEDGER = ROOT / "tests" / "MUTANTS.md"
COPIED = ("bot", "tests", "content", "seeds")
TARGET_SCORE = 0.85
# Outcomes that count as caught: a test failed, the tests hung (an endless
# loop is a failure a supporter would notice), or the process crashed.
CAUGHT = {1, 3, 36, 24, -24, 152, 255, -11, -9}
SURVIVED = 0
NO_TESTS = {5, 33}


@dataclass(frozen=True)
class Target:
    module: str  # path of the source file
    tests: tuple[str, ...]  # test files (or node ids) that exercise it
    functions: tuple[str, ...] = ()  # empty: the whole module; "Class.method" for a method

    @property
    def dotted(self) -> str:
        return self.module.removesuffix(".py").replace("/", ".")

    def patterns(self) -> list[str]:
        """mutmut's mutant-name globs for this target (they also select the tests)."""
        if not self.functions:
            return [f"{self.dotted}.*"]
        names = []
        for function in self.functions:
            cls, _, method = function.rpartition(".")
            names.append(f"{self.dotted}.xǁ{cls}ǁ{method}__mutmut_*" if cls
                         else f"{self.dotted}.x_{function}__mutmut_*")
        return names

    def owns(self, mutant: str) -> bool:
        return any(re.fullmatch(re.escape(p).replace(r"\*", ".*"), mutant) for p in self.patterns())


# The tests that claim each promise, by node id where a file holds other things too: a flow
# test drives the whole Application (a second or more), so a module reached by every flow
# would otherwise cost ten seconds and more a mutant (docs/development.md, "Mutation testing").
CAPS = ("tests/chat/test_abuse_limits.py::test_reports_are_capped_per_supporter_per_day",
        "tests/chat/test_abuse_limits.py::test_forget_between_attempts_passes_no_cap")
STORE = ("tests/store/test_store.py", "tests/store/test_store_postgres.py", *CAPS)
# forget, the caps, idempotency and the rollups: what the store promises (its queries,
# held in constants, are module-level code; the tests above check what they return).
STORE_PROMISES = ("{cls}.record_action", "{cls}.record_reply", "{cls}.record_contact_problem",
                  "{cls}.campaign_stats", "{cls}.rebuild_rollups", "{cls}.forget", "{cls}.prune_limits",
                  "_count_today")
SQLITE_PROMISES = tuple(f.format(cls="SQLiteStore") for f in STORE_PROMISES) + (
    "_refused", "_record_action_now", "_record_item_now")
POSTGRES_PROMISES = tuple(f.format(cls="PostgresStore") for f in STORE_PROMISES) + (
    "PostgresStore._refused", "PostgresStore._record")
REPORTS = (*CAPS, "tests/chat/test_report_steps.py",
           "tests/chat/test_many_cases.py::test_reporting_on_one_case_keeps_the_reminder_of_the_other",
           "tests/chat/test_take_action.py::test_report_pressed_twice_counts_once",
           "tests/chat/test_take_action.py::test_no_answer_counts_as_attempted",
           "tests/chat/test_take_action.py::test_a_group_reports_many_letters",
           "tests/chat/test_take_action.py::test_not_yet_schedules_one_reminder",
           "tests/chat/test_leaving_and_forged.py::test_forged_report_buttons_are_stale_not_counted",
           "tests/chat/test_leaving_and_forged.py::test_a_count_in_other_digits_is_refused_not_crashed",
           "tests/chat/test_leaving_and_forged.py::test_a_forged_official_or_channel_is_stale_not_an_error",
           "tests/chat/test_leaving_and_forged.py::test_forget_in_the_middle_of_every_flow",
           "tests/chat/test_organizer_privacy.py::test_reporting_each_channel",
           "tests/chat/test_organizer_privacy.py::test_running_total_counts_people",
           "tests/chat/test_case_updates.py::test_not_yet_reminds_once_after_the_delay_even_across_a_restart",
           "tests/chat/test_case_updates.py::"
           "test_reporting_cancels_the_reminder_and_near_the_deadline_it_comes_sooner",
           "tests/chat/test_case_updates.py::"
           "test_not_yet_exactly_48_hours_before_the_deadline_reminds_a_day_later",
           "tests/chat/test_leaving_and_forged.py::"
           "test_cancel_leaves_the_count_and_the_feedback_flows_keeping_nothing",
           "tests/chat/test_experience.py::test_first_person_is_said_once_not_on_ones_own_second_action",
           "tests/chat/test_many_cases.py::test_after_its_closing_update_a_case_is_an_archive")
FEEDBACK = (*CAPS, "tests/chat/test_feedback_steps.py",
            "tests/chat/test_leaving_and_forged.py::test_a_menu_tap_leaves_the_feedback_flow",
            "tests/chat/test_leaving_and_forged.py::test_forged_feedback_buttons_store_nothing_and_log_nothing_typed",
            "tests/chat/test_leaving_and_forged.py::test_forget_in_the_middle_of_every_flow",
            "tests/chat/test_leaving_and_forged.py::"
            "test_cancel_leaves_the_count_and_the_feedback_flows_keeping_nothing",
            "tests/chat/test_flows_expire.py::test_a_reply_flow_left_across_a_restart_does_not_take_a_later_question",
            "tests/chat/test_organizer_privacy.py::test_contact_problems_reach_the_review_list",
            "tests/chat/test_organizer_privacy.py::test_an_official_reply_is_recorded",
            "tests/chat/test_organizer_privacy.py::"
            "test_two_chats_reporting_alike_in_messages_of_the_same_number_are_two_reports",
            "tests/chat/test_experience.py::test_contact_problems_offered_fit_the_contact")
DASHBOARD = ("tests/web/test_dashboard.py",)
SENDING = ("tests/chat/test_take_action.py", "tests/chat/test_hostile_input.py")

TARGETS = (
    Target("bot/store/sqlite.py", STORE, SQLITE_PROMISES),
    Target("bot/store/postgres.py", STORE, POSTGRES_PROMISES),
    Target("bot/chat/report.py", REPORTS),
    Target("bot/chat/feedback.py", FEEDBACK),
    Target("bot/web/dashboard.py", DASHBOARD,
           ("check_token", "token_matches", "token_attempt", "authenticate", "csrf_ok", "unauthorized",
            "too_many_attempts", "login_page", "login_submit", "logout", "resolve", "stats_json",
            "export_csv")),
    Target("bot/web/dashboard_sessions.py", DASHBOARD),
    Target("bot/web/dashboard_throttle.py", DASHBOARD),
    Target("bot/web/dashboard_proxy.py", DASHBOARD),
    Target("bot/appeals/render.py", ("tests/appeals/test_appeals.py", *SENDING,
                                     "tests/appeals/test_letter_pdf.py", "tests/cli/test_cli.py")),
    Target("bot/core/telegram_html.py", ("tests/core/test_telegram_html.py", *SENDING,
                                         "tests/appeals/test_letter_pdf.py")),
    Target("bot/appeals/supporter_input.py", SENDING),
    Target("bot/chat/take_action.py", SENDING,
           ("_full_text", "_letter_parts", "_email_parts", "_call_parts", "_tweet_parts", "_with_translation",
            "_queue_pdf")),
    Target("bot/broadcasts/engine.py",
           ("tests/broadcasts/test_broadcast.py", "tests/chat/test_case_updates.py")),
    Target("bot/ask/faq_matcher.py", ("tests/ask/test_faq_matcher.py", "tests/chat/test_learn_ask.py"),
           ("FaqMatcher.match",)),
    Target("bot/ask/combined_matcher.py",
           ("tests/ask/test_semantic_matcher.py", "tests/chat/test_learn_ask.py",
            "tests/chat/test_ask_back.py")),
    Target("bot/ask/question_kind.py", ("tests/ask/test_semantic_matcher.py", "tests/chat/test_ask_back.py")),
    Target("bot/catalog/cases.py", ("tests/catalog/test_cases.py", "tests/chat/test_take_action.py",
                                    "tests/chat/test_who_to_write_to.py", "tests/chat/test_many_cases.py",
                                    "tests/chat/test_case_updates.py")),
    Target("bot/chat/send_budget.py", ("tests/chat/test_send_budget.py",)),
    # Places: a waiting question's place given back, and taken again before newcomers (the
    # processor around it reaches every flow test; its ordering is tests/chat/test_update_ordering.py's).
    Target("bot/chat/ordering.py", ("tests/chat/test_waiting_place.py", "tests/chat/test_update_ordering.py"),
           ("Places.__init__", "Places.lend", "Places.returned", "Places.take", "Places.give")),
    Target("bot/core/heap.py", ("tests/chat/test_waiting_place.py",)),
    Target("bot/chat/prompt_message.py",
           ("tests/chat/test_appeal_messages.py", "tests/chat/test_report_steps.py")),
    # Not `Routed._never_called`: an assertion that no test can reach (Routed runs the handler it found).
    Target("bot/chat/routing.py", ("tests/chat/test_routing.py",),
           ("_literal_start", "literal_prefixes", "_command_of", "Routed.__init__", "Routed._plan",
            "Routed.check_update", "Routed.handle_update", "QuickConversation.__init__",
            "QuickConversation.check_update", "_may_accept", "route_handlers")),
    Target("bot/chat/encoded_once.py", ("tests/chat/test_encoded_once.py",)),
)


@dataclass(frozen=True)
class Planted:
    """A bug planted by hand, and the test that claims to catch it."""

    what: str
    module: str
    before: str
    after: str
    test: str


PLANTED = (
    Planted("the deadline day itself counted as passed", "bot/catalog/cases.py",
            "self.deadline < self.today", "self.deadline <= self.today",
            "tests/catalog/test_cases.py::test_the_deadline_day_itself_has_not_passed"),
    Planted("the deadline day itself counted as passed (end to end)", "bot/catalog/cases.py",
            "self.deadline < self.today", "self.deadline <= self.today",
            "tests/chat/test_take_action.py::test_the_deadline_day_itself_is_still_in_time"),
    Planted("a prefix of the dashboard token accepted", "bot/web/dashboard.py",
            'return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), token.encode())',
            'return bool(given) and token.encode().startswith(given.encode("utf-8", "surrogatepass"))',
            "tests/web/test_dashboard.py::test_near_miss_tokens_are_refused_as_bearer_and_in_the_form"),
    Planted("forget() leaves reminders (SQLite)", "bot/store/sqlite.py",
            'for table in ("subscriptions", "reminders", "deliveries")',
            'for table in ("subscriptions", "deliveries")',
            "tests/store/test_store.py::test_forget_removes_the_key_everywhere_and_keeps_the_counts[sqlite]"),
    Planted("forget() leaves reminders (PostgreSQL)", "bot/store/postgres.py",
            'for table in ("subscriptions", "reminders", "deliveries")',
            'for table in ("subscriptions", "deliveries")',
            "tests/store/test_store.py::test_forget_removes_the_key_everywhere_and_keeps_the_counts[postgresql]"),
    # In decorated functions, which mutmut leaves alone:
    Planted("a closed case still actionable (property)", "bot/catalog/cases.py",
            "return not self.closed and bool(self.writable)", "return not self.closed or bool(self.writable)",
            "tests/catalog/test_cases.py::test_a_closing_update_closes_the_case_on_its_own_day_not_before"),
    Planted("forms from another site accepted (middleware)", "bot/web/dashboard.py",
            'if request.method == "POST" and site not in ("same-origin", "none"):',
            'if request.method == "POST" and site not in ("same-origin", "none", "cross-site"):',
            "tests/web/test_dashboard.py::test_resolving_needs_the_sessions_csrf_token"),
    Planted("the call script sent without escaping", "bot/chat/take_action.py",
            'Html(intro + "\\n\\n" + escape(appeal.body))', 'Html(intro + "\\n\\n" + appeal.body)',
            "tests/chat/test_hostile_input.py::test_hostile_values_reach_the_appeal_as_plain_data"),
    Planted("the tweet sent without escaping", "bot/chat/take_action.py",
            'Html(intro + "\\n\\n" + escape(text))', 'Html(intro + "\\n\\n" + text)',
            "tests/chat/test_hostile_input.py::test_hostile_values_reach_the_appeal_as_plain_data"),
)


# -- the copy mutmut works in ------------------------------------------------------

def mutmut_config(targets: list[Target]) -> str:
    tests = sorted({t for target in targets for t in target.tests})
    modules = sorted({target.module for target in targets})

    def toml_list(items) -> str:
        return "[" + ", ".join(json.dumps(i) for i in items) + "]"

    return ("\n[tool.mutmut]\n"
            'source_paths = ["bot/"]\n'
            f"only_mutate = {toml_list(modules)}\n"
            'also_copy = ["content/", "seeds/"]\n'
            # Log statements are not mutated: their wording is no promise (what they
            # must never hold is checked by tests/chat/test_privacy.py).
            "do_not_mutate_patterns = ['^\\s*log\\.(debug|info|warning|error|exception)\\(']\n"
            f"pytest_add_cli_args_test_selection = {toml_list(tests)}\n"
            # the deselected test fails before any mutation (semantic tier, branch `answers`)
            'pytest_add_cli_args = ["-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning",'
            ' "--deselect", "tests/ask/test_semantic_matcher.py::test_greetings_get_no_random_topics"]\n')


def prepare(work: Path, targets: list[Target]) -> None:
    """A fresh copy of the project, with mutmut's configuration for these targets."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        shutil.copytree(ROOT / name, work / name, ignore=ignore)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (work / "pyproject.toml").write_text(pyproject + mutmut_config(targets), encoding="utf-8")


def pytest(work: Path, *args: str) -> subprocess.CompletedProcess:
    """pytest in the copy: `bot` is imported from there, not from the project."""
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=work, capture_output=True, text=True)


@contextlib.contextmanager
def shared_postgres():
    """One PostgreSQL server for the whole run (tests/pg_server.py): each mutant's
    tests then create their databases on it instead of starting a server of their
    own (initdb and start, 2 to 3 s a mutant). Without PostgreSQL the tests skip."""
    bindir = find_bindir()
    if bindir is None:
        yield
        return
    server = PostgresServer.start(bindir)
    os.environ[SHARED_PORT_ENV] = str(server.port)
    try:
        yield
    finally:
        del os.environ[SHARED_PORT_ENV]
        server.stop()


def check_planted(work: Path, planted: list[Planted]) -> list[str]:
    """Plant each hand-made bug in the copy; its test must pass before and fail after."""
    problems = []
    if not planted:  # pytest without arguments would run the whole suite
        return problems
    clean = pytest(work, *sorted({p.test for p in planted}))
    if clean.returncode != 0:
        return [f"the planted mutants' tests fail on the unmutated code:\n{clean.stdout[-2000:]}"]
    for p in planted:
        path = work / p.module
        source = path.read_text(encoding="utf-8")
        if source.count(p.before) != 1:
            problems.append(f"{p.module}: `{p.before}` is not there exactly once: update PLANTED")
            continue
        path.write_text(source.replace(p.before, p.after), encoding="utf-8")
        try:
            caught = pytest(work, "-x", p.test).returncode == 1
        finally:
            path.write_text(source, encoding="utf-8")
        print(f"  {'caught' if caught else 'MISSED'}: {p.what} — {p.test}")
        if not caught:
            problems.append(f"planted bug not caught: {p.what} ({p.test})")
    return problems


# -- results ---------------------------------------------------------------------------

def exit_codes(work: Path) -> dict[str, int | None]:
    codes: dict[str, int | None] = {}
    for meta in (work / "mutants").rglob("*.py.meta"):
        codes.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return codes


def documented_equivalents() -> dict[str, str]:
    """Mutant name -> the mutated line as MUTANTS.md records it."""
    found = {}
    for line in LEDGER.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^\| `([\w.ǁ]+__mutmut_\d+)` \| `(.*?)` \|", line):
            found[match[1]] = match[2].replace("\\|", "|")
    return found


def mutant_diff(work: Path, name: str) -> tuple[str, str]:
    """The first line a mutant removes and the first it adds, stripped (either may be "")."""
    shown = subprocess.run([str(Path(sys.executable).parent / "mutmut"), "show", name], cwd=work,
                           capture_output=True, text=True).stdout
    lines = shown.splitlines()
    added = [line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++")]
    removed = [line[1:].strip() for line in lines if line.startswith("-") and not line.startswith("---")]
    return (removed[0] if removed else ""), (added[0] if added else "")


def mutated_line(removed: str, added: str) -> str:
    """A mutant's changed line, as MUTANTS.md quotes it."""
    return added or (f"(removed) {removed}" if removed else "")


_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SQL = re.compile(r"\b(select|insert into|update|delete from|pragma|on conflict|returning|where|values)\b")
_QUOTED = re.compile(r"'[^']*'")


def sql_letter_case_only(removed: str, added: str) -> bool:
    """True when the mutant only changes the letter case of SQL text (MUTANTS.md, "Equivalent by
    rule"): keywords and unquoted names are case-insensitive in SQLite and PostgreSQL. A
    quoted value inside the SQL ('done', 'sending') must be unchanged, as case matters there."""
    before, after = _STRING.findall(removed), _STRING.findall(added)
    changed = [(a, b) for a, b in zip(before, after, strict=False) if a != b]
    return (len(before) == len(after) and bool(changed) and removed.lower() == added.lower()
            and all(_SQL.search(a.lower()) and _QUOTED.findall(a) == _QUOTED.findall(b) for a, b in changed))


def latest_run(target: Target) -> Path | None:
    """The run folder that tested `target` last."""
    metas = RUNS.glob(f"*/mutants/{target.module}.meta")
    latest = max(metas, key=lambda meta: meta.stat().st_mtime, default=None)
    return latest.parents[len(Path(target.module).parts)] if latest else None


def report(work: Path | None, targets: list[Target]) -> bool:
    """The figures of `work`'s run, or (None) of each target's latest run."""
    equivalents = documented_equivalents()
    ok = True
    undocumented: list[str] = []
    sql_case: list[str] = []  # survivors explained by the rule, not by a row of their own
    print(f"\n{'module':<28} {'mutants':>7} {'killed':>7} {'equiv.':>7} {'other':>6} {'not run':>7}"
          f" {'score':>7}")
    for target in targets:
        run = work or latest_run(target)
        codes = exit_codes(run) if run else {}
        mine = {name: code for name, code in codes.items() if target.owns(name)}
        killed = sum(code in CAUGHT for code in mine.values())
        not_run = sum(code is None for code in mine.values())  # an interrupted run
        survivors = sorted(name for name, code in mine.items() if code not in CAUGHT and code is not None)
        shown = [name for name in survivors if mine[name] == SURVIVED]
        with ThreadPoolExecutor(max_workers=4) as pool:  # `mutmut show` takes a second each
            diffs = dict(zip(shown, pool.map(mutant_diff, [run] * len(shown), shown), strict=True))
        by_rule = [name for name, diff in diffs.items() if sql_letter_case_only(*diff)]
        explained = [name for name, diff in diffs.items()
                     if name in by_rule or equivalents.get(name) == mutated_line(*diff)]
        unexplained = [name for name in survivors if name not in explained]
        sql_case += by_rule
        checked = len(mine) - not_run
        score = killed / checked if checked else 0.0
        print(f"{target.module:<28} {len(mine):>7} {killed:>7} {len(explained):>7} {len(unexplained):>6}"
              f" {not_run:>7} {score:>7.1%}")
        if score < TARGET_SCORE or not_run:
            ok = False
        undocumented += [f"{name} ({describe(mine[name])})" for name in unexplained]
    if sql_case:
        print(f"\nEquivalent by rule (SQL letter case only, MUTANTS.md): {', '.join(sql_case)}")
    if undocumented:
        ok = False
        print("\nSurvivors not in tests/MUTANTS.md (kill them, or record them as equivalent, with why):")
        for line in undocumented:
            print(f"  {line}")
        print(f"See one: cd build/mutation/<run> && {ROOT / '.venv/bin/mutmut'} show NAME")
    print(f"\nTarget: at least {TARGET_SCORE:.0%} killed per module, every survivor in tests/MUTANTS.md: "
          + ("met." if ok else "NOT met."))
    return ok


def describe(code: int | None) -> str:
    if code == SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no test reaches it"
    if code is None:
        return "not run"
    return f"suspicious, exit code {code}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutate", description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="only these targets (paths such as bot/catalog/cases.py)")
    parser.add_argument("--report", action="store_true", help="print the last run's figures again")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args(argv)
    unknown = set(args.modules) - {t.module for t in TARGETS}
    if unknown:
        parser.error(f"not a target: {', '.join(sorted(unknown))} (targets: "
                     f"{', '.join(t.module for t in TARGETS)})")
    targets = [t for t in TARGETS if not args.modules or t.module in args.modules]
    work = RUNS / ("-".join(Path(m).stem for m in sorted(args.modules)) or "all")
    if args.report:
        return 0 if report(None, targets) else 1
    started = time.monotonic()
    prepare(work, targets)
    planted = [p for p in PLANTED if p.module in {t.module for t in targets}]
    patterns = [p for target in targets for p in target.patterns()]
    mutmut = Path(sys.executable).parent / "mutmut"
    with shared_postgres():
        print(f"Planting the audit's {len(planted)} bugs by hand:")
        problems = check_planted(work, planted)
        run = subprocess.run([str(mutmut), "run", "--max-children", str(args.max_children), *patterns],
                             cwd=work)
    if run.returncode != 0:
        print(f"mutmut stopped with exit status {run.returncode}", file=sys.stderr)
        return 1
    ok = report(work, targets) and not problems
    for problem in problems:
        print(problem)
    minutes, seconds = divmod(round(time.monotonic() - started), 60)
    print(f"Took {minutes} min {seconds} s with {args.max_children} workers.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
