"""Object detection (issue 4) against the real binary: a configured model file that is missing or
is not a model is a clear startup error naming the path, with exit status 1, before the API runs.
(Detection quality on vtest.avi is tests/camera/vtest_people_test.cc: frame by frame, so that it
does not depend on the machine's speed.)"""

import os
import subprocess
import unittest

import corvette_harness as harness

STARTUP_LIMIT_SECONDS = 15


class BadModelTest(harness.CorvetteTestCase):
    def start_expecting_failure(self, model_path):
        config = harness.base_config(model={"path": model_path})
        corvette = self.make_corvette(config)
        corvette.start(wait=False)
        try:
            code = corvette.process.wait(timeout=STARTUP_LIMIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.fail(f"corvette still running {STARTUP_LIMIT_SECONDS} s after starting with "
                      f"model {model_path}")
        return code, corvette.log()

    def assert_startup_error(self, code, log, path, reason):
        self.assertEqual(code, 1, log)
        errors = [line for line in log.splitlines() if "could not start" in line]
        self.assertTrue(errors, f"no 'could not start' line:\n{log}")
        self.assertIn(path, errors[-1])
        self.assertIn(reason, errors[-1])

    def test_a_missing_model_file_is_a_startup_error_naming_it(self):
        path = os.path.join(harness.tempfile.gettempdir(), "corvette-test-no-such-dir",
                            "nanodet-missing.onnx")
        code, log = self.start_expecting_failure(path)
        self.assert_startup_error(code, log, path, "does not exist")

    def test_a_file_that_is_not_a_model_is_a_startup_error_naming_it(self):
        directory = harness.tempfile.mkdtemp(prefix="corvette-test-model-")
        self.addCleanup(harness.shutil.rmtree, directory, True)
        path = os.path.join(directory, "garbage.onnx")
        with open(path, "wb") as f:
            f.write(bytes(range(256)) * 40)
        code, log = self.start_expecting_failure(path)
        self.assert_startup_error(code, log, path, "not an ONNX model")


if __name__ == "__main__":
    unittest.main()
