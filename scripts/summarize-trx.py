#!/usr/bin/env python3
"""Totals the TRX files of one test run: lists failures and skip reasons, then prints the last line CI reads,
exactly "N passed, N failed, N skipped". Exits 1 when anything failed or crashed, or when no test ran."""
import glob
import os
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def main() -> int:
    results_dir, crashed = sys.argv[1], int(sys.argv[2])
    passed = failed = skipped = 0
    # Extra suites outside dotnet test (the main-job smoke run) report "passed" or "failed".
    for outcome in sys.argv[3:]:
        if outcome == "passed":
            passed += 1
        else:
            failed += 1
            print("FAILED  main job: scripts/run --probe-only")
    for path in sorted(glob.glob(os.path.join(results_dir, "*.trx"))):
        suite = os.path.basename(path)[:-4]
        root = ET.parse(path).getroot()
        failed_here = 0
        for result in root.iterfind(".//t:UnitTestResult", NS):
            outcome = result.get("outcome")
            name = result.get("testName")
            if outcome == "Passed":
                passed += 1
            elif outcome == "NotExecuted":
                skipped += 1
                reason = result.findtext(".//t:Output/t:ErrorInfo/t:Message", default="", namespaces=NS)
                print(f"SKIPPED {suite}: {name}: {reason.strip() or 'no reason given'}")
            else:
                failed += 1
                failed_here += 1
                print(f"FAILED  {suite}: {name}")
        # An aborted run (the test host crashed) lists only the tests that finished, all of them passes:
        # the run itself counts as a failure, so the tests it never ran cannot read as green.
        summary = root.find("t:ResultSummary", NS)
        if summary is not None and summary.get("outcome") not in ("Completed", "Passed") and failed_here == 0:
            failed += 1
            print(f"FAILED  {suite}: the test run was aborted (outcome {summary.get('outcome')}); see the log above")
    failed += crashed
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
