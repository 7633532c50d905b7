"""Runs one integration suite (`run.py test_NAME`) so that nothing fails quietly: a run that
finds no tests fails, and an exception in any thread a test started fails that test (unittest
alone prints such tracebacks and reports OK)."""

import sys
import threading
import traceback
import unittest

thread_errors = []
lock = threading.Lock()


def record(args):
    with lock:
        thread_errors.append(args)
    sys.__excepthook__(args.exc_type, args.exc_value, args.exc_traceback)


class Result(unittest.TextTestResult):
    def stopTest(self, test):
        with lock:
            errors, thread_errors[:] = list(thread_errors), []
        for e in errors:
            where = getattr(e.thread, "name", "a thread")
            try:
                raise AssertionError(f"exception in {where} during the test:\n" + "".join(
                    traceback.format_exception(e.exc_type, e.exc_value, e.exc_traceback)))
            except AssertionError:
                self.addFailure(test, sys.exc_info())
        super().stopTest(test)


def run(suite, stream=sys.stderr):
    """0 if `suite` ran at least one test and every one passed, else 1."""
    threading.excepthook = record
    result = unittest.TextTestRunner(stream=stream, verbosity=2, resultclass=Result).run(suite)
    if result.testsRun == 0:
        print("no tests ran", file=stream)
        return 1
    return 0 if result.wasSuccessful() else 1


def self_test():
    """Proves both rules bite: a thread's exception fails its test, an empty run fails."""
    import io

    class ThreadFails(unittest.TestCase):
        def test_worker_raises(self):
            t = threading.Thread(target=lambda: 1 / 0, name="worker")
            t.start()
            t.join()

    class Passes(unittest.TestCase):
        def test_nothing_wrong(self):
            self.assertTrue(True)

    load = unittest.defaultTestLoader.loadTestsFromTestCase
    out = io.StringIO()
    verdicts = (run(load(ThreadFails), out), run(unittest.TestSuite(), out),
                run(load(Passes), out))
    if verdicts != (1, 1, 0) or "ZeroDivisionError" not in out.getvalue():
        print(f"self-test failed: {verdicts}\n{out.getvalue()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: run.py MODULE[.Class[.test]]... | --self-test")
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    sys.exit(run(unittest.defaultTestLoader.loadTestsFromNames(sys.argv[1:])))
