"""Object detection (issue 4) against the real binary: a configured model file that is missing or
is not a model is a clear startup error naming the path, with exit status 1, before the API runs.
The detectors' runtime (issue 13): `runtime: onnxruntime` without a loadable ONNX Runtime library
or with a model it cannot load is such a startup error too; `auto` falls back to OpenCV with one
log line saying why; `precision: int8` runs the int8 model on ONNX Runtime or refuses to start. (Detection quality on vtest.avi is tests/camera/vtest_people_test.cc: frame
by frame, so that it does not depend on the machine's speed.)"""

import os
import subprocess
import time
import unittest

import corvette_harness as harness

STARTUP_LIMIT_SECONDS = 15


class StartupErrorTestCase(harness.CorvetteTestCase):
    def startup_error(self, config, env=None):
        """Starts corvette with `config`; asserts that it exits with status 1 in time and says
        why on a 'could not start' line, and returns that line."""
        corvette = self.make_corvette(config, env=env)
        corvette.start(wait=False)
        try:
            code = corvette.process.wait(timeout=STARTUP_LIMIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.fail(f"corvette still running {STARTUP_LIMIT_SECONDS} s after starting")
        log = corvette.log()
        self.assertEqual(code, 1, log)
        errors = [line for line in log.splitlines() if "could not start" in line]
        self.assertTrue(errors, f"no 'could not start' line:\n{log}")
        return errors[-1]

    def garbage_model(self):
        """The path of a file that is not a model."""
        directory = harness.tempfile.mkdtemp(prefix="corvette-test-model-")
        self.addCleanup(harness.shutil.rmtree, directory, True)
        path = os.path.join(directory, "garbage.onnx")
        with open(path, "wb") as f:
            f.write(bytes(range(256)) * 40)
        return path


class BadModelTest(StartupErrorTestCase):
    def test_a_missing_model_file_is_a_startup_error_naming_it(self):
        path = os.path.join(harness.tempfile.gettempdir(), "corvette-test-no-such-dir",
                            "nanodet-missing.onnx")
        error = self.startup_error(harness.base_config(model={"path": path}))
        self.assertIn(path, error)
        self.assertIn("does not exist", error)

    def test_a_file_that_is_not_a_model_is_a_startup_error_naming_it(self):
        path = self.garbage_model()
        error = self.startup_error(harness.base_config(model={"path": path}))
        self.assertIn(path, error)
        self.assertIn("not an ONNX model", error)


MISSING_LIBRARY = "/nonexistent/corvette-test/libonnxruntime.so.1"


def env_with_library(path):
    env = dict(os.environ)
    env["CORVETTE_ONNXRUNTIME_LIBRARY"] = path
    return env


def detectors(runtime, count=1):
    return {f"cpu{i + 1}": {"type": "cpu", "num_threads": 1, "runtime": runtime}
            for i in range(count)}


class RuntimeTest(StartupErrorTestCase):
    def test_onnxruntime_without_its_library_is_a_startup_error_saying_what_to_do(self):
        config = harness.base_config(detectors=detectors("onnxruntime"))
        error = self.startup_error(config, env_with_library(MISSING_LIBRARY))
        self.assertIn("detector cpu1", error)
        self.assertIn(MISSING_LIBRARY, error)
        self.assertIn("CORVETTE_ONNXRUNTIME_LIBRARY", error)
        self.assertIn("runtime: opencv", error)

    def test_onnxruntime_with_a_model_it_cannot_load_is_a_startup_error_naming_it(self):
        path = self.garbage_model()
        config = harness.base_config(detectors=detectors("onnxruntime"), model={"path": path})
        error = self.startup_error(config)
        self.assertIn(path, error)
        self.assertIn("not an ONNX model ONNX Runtime can load", error)

    def test_auto_without_the_library_runs_on_opencv_and_says_why_once(self):
        config = harness.base_config(detectors=detectors("auto", count=2))
        corvette = self.make_corvette(config, env=env_with_library(MISSING_LIBRARY)).start()
        log = corvette.log()
        fallbacks = [line for line in log.splitlines() if "runs on OpenCV" in line]
        self.assertEqual(len(fallbacks), 1, log)
        self.assertIn(MISSING_LIBRARY, fallbacks[0])
        self.assertIn("cpu1 on opencv", log)
        self.assertIn("cpu2 on opencv", log)

    def test_the_fetched_library_runs_auto_and_onnxruntime_detectors(self):
        if not os.path.exists(os.path.join(harness.BINARY_DIR, "libonnxruntime.so.1")):
            self.skipTest("this build has no ONNX Runtime (its fetch failed when cmake ran)")
        config = harness.base_config(detectors={
            "a": {"type": "cpu", "num_threads": 1},
            "b": {"type": "cpu", "num_threads": 1, "runtime": "onnxruntime"},
            "c": {"type": "cpu", "num_threads": 1, "runtime": "opencv"}})
        corvette = self.start_corvette(config)
        log = corvette.log()
        self.assertIn("a on onnxruntime", log)
        self.assertIn("b on onnxruntime", log)
        self.assertIn("c on opencv", log)
        self.assertNotIn("runs on OpenCV", log)

    def test_an_int8_detector_runs_the_int8_model_and_detects(self):
        if not os.path.exists(os.path.join(harness.BINARY_DIR, "model", "nanodet-320-int8.onnx")):
            self.skipTest("this build made no int8 model (tools/int8_model.cmake)")
        config = harness.base_config(
            detectors={"quick": {"type": "cpu", "num_threads": 2, "precision": "int8"}},
            cameras={"demo": harness.demo_camera(objects={"track": ["person"]})})
        corvette = self.start_corvette(config)
        self.assertIn("quick on onnxruntime in int8", corvette.log())
        # vtest's people walk from the first frame: the int8 detector is called and finds them.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(e["label"] == "person" for e in corvette.get_json("/api/events")):
                break
            time.sleep(0.5)
        events = corvette.get_json("/api/events")
        self.assertTrue(any(e["label"] == "person" for e in events), events)
        stats = corvette.get_json("/api/stats")
        self.assertGreater(stats["detectors"]["quick"]["inference_speed"], 0)

    def test_int8_never_falls_back_to_float(self):
        config = harness.base_config(
            detectors={"quick": {"type": "cpu", "num_threads": 1, "precision": "int8"}})
        error = self.startup_error(config, env=env_with_library(MISSING_LIBRARY))
        self.assertIn("detector quick (runtime auto, precision int8)", error)
        self.assertIn("runtime: opencv", error)  # what to do: ONNX Runtime's library, named

    def test_int8_on_opencv_is_a_config_error_naming_the_key(self):
        corvette = self.make_corvette(harness.base_config(detectors={
            "quick": {"type": "cpu", "runtime": "opencv", "precision": "int8"}}))
        result = harness.run_binary(["--check-config", "--config", corvette.config_path])
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("detectors.quick.precision: int8 runs on ONNX Runtime only", result.stderr)

    def test_an_unknown_runtime_is_a_config_error_naming_the_key(self):
        corvette = self.make_corvette(harness.base_config(detectors=detectors("tensorrt")))
        result = harness.run_binary(["--check-config", "--config", corvette.config_path])
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn('detectors.cpu1.runtime: unknown detector runtime "tensorrt"', result.stderr)


if __name__ == "__main__":
    unittest.main()
