#!/usr/bin/python3
"""Converts the NanoDet TF.js graph model (nanodet.json + nanodet.bin) to an ONNX model that Debian's
OpenCV 4.6 DNN module loads and runs fast.

Usage: /usr/bin/python3 tools/tfjs_to_onnx.py --json nanodet.json --output nanodet-320.onnx [--size 320]

Needs only Debian's python3-onnx (1.12) and python3-numpy.

How it converts (see docs in /work/shared/model/README.md and tools/README.md):
- The TF graph is walked in topological order and evaluated symbolically: constants are folded with numpy,
  every other tensor is an ONNX tensor whose *physical* layout is tracked separately from the *logical* layout
  TensorFlow sees. A TF Transpose only changes the tracked layout and emits nothing; a Transpose node is emitted
  only where an op needs a layout the tensor does not have (in practice none, unless --output-layout cells).
- Convolutions run in NCHW, so the whole graph stays NCHW.
- Zero Pads (and the -inf PadV2 before the max pool) are kept pending and folded into the `pads` of the
  Conv/MaxPool that consumes them; bias Adds are folded into the Conv's bias input, so OpenCV can fuse
  Conv + bias + LeakyReLU.
- OpenCV 4.6 quirks: explicit kernel_shape and pads on Conv/MaxPool; static Reshape shapes; Slice instead of
  Split; Resize with constant scales and coordinate_transformation_mode=half_pixel.

Inputs and outputs of the written model (names are stable; the C++ detector relies on them). S = --size,
N8/N16/N32 = (S/8)^2, (S/16)^2, (S/32)^2 cells (row-major: cell i is x = i % W, y = i / W):
  input_1     float32 [1, 3, S, S]   RGB in [0, 1], NCHW
  Identity    float32 [1, 80, N8]    class scores (sigmoid) at stride 8
  Identity_1  float32 [1, 80, N16]   class scores at stride 16
  Identity_2  float32 [1, 80, N32]   class scores at stride 32
  Identity_3  float32 [1, 44, N8]    box distributions (4 sides x 11 bins, GFL) at stride 8
  Identity_4  float32 [1, 44, N16]   at stride 16
  Identity_5  float32 [1, 44, N32]   at stride 32
With --output-layout cells the last two dimensions are swapped ([1, N8, 80], ...), as in the TF.js graph; that
costs OpenCV six Transposes (about 5% of an inference).
"""

import argparse
import base64
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

NOMINAL_SIZE = 416  # the input size the TF.js graph was exported with
OUTPUT_NAMES = ["Identity", "Identity_1", "Identity_2", "Identity_3", "Identity_4", "Identity_5"]


class ConversionError(Exception):
    pass


def load_weights(model_json, bin_dir):
    """Returns {tensor name: numpy array} for every weight in the manifest (float16 is widened to float32)."""
    values = {}
    for group in model_json["weightsManifest"]:
        blob = b"".join(open(os.path.join(bin_dir, p), "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            count = int(np.prod(w["shape"])) if w["shape"] else 1
            quant = w.get("quantization")
            if quant and quant.get("dtype") == "float16":
                arr = np.frombuffer(blob, np.float16, count, offset).astype(np.float32)
                offset += 2 * count
            elif quant:
                raise ConversionError(f"unsupported quantization {quant} of {w['name']}")
            elif w["dtype"] == "float32":
                arr = np.frombuffer(blob, np.float32, count, offset)
                offset += 4 * count
            elif w["dtype"] == "int32":
                arr = np.frombuffer(blob, np.int32, count, offset)
                offset += 4 * count
            else:
                raise ConversionError(f"unsupported weight dtype {w['dtype']} of {w['name']}")
            values[w["name"]] = arr.reshape(w["shape"])
        if offset != len(blob):
            raise ConversionError(f"weights use {offset} bytes but the .bin files hold {len(blob)}")
    return values


class Tensor:
    """A runtime tensor: an ONNX value plus the layout bookkeeping.

    logical = np.transpose(physical, to_logical). pending_pads, when set, is a list of (begin, end) per
    *physical* axis and a pad value: the logical tensor is the ONNX value padded by it (not yet emitted).
    """

    def __init__(self, name, phys_shape, to_logical=None, pending_pads=None, pad_value=0.0):
        self.name = name
        self.phys_shape = list(phys_shape)
        self.to_logical = list(to_logical) if to_logical is not None else list(range(len(phys_shape)))
        self.pending_pads = pending_pads
        self.pad_value = pad_value

    def padded_phys_shape(self):
        if not self.pending_pads:
            return list(self.phys_shape)
        return [d + b + e for d, (b, e) in zip(self.phys_shape, self.pending_pads)]

    def logical_shape(self):
        phys = self.padded_phys_shape()
        return [phys[a] for a in self.to_logical]


class Converter:
    def __init__(self, model_json, weights, size, output_layout="channels"):
        self.size = size
        self.output_layout = output_layout
        self.weights = weights
        self.tf_nodes = model_json["modelTopology"]["node"]
        self.nodes = []
        self.initializers = []
        self.values = {}  # TF output name -> np.ndarray (constant) or Tensor
        self.consumers = {}
        self.conv_by_output = {}  # ONNX output name of a Conv -> its NodeProto (for bias folding)
        self.unique = 0
        for n in self.tf_nodes:
            for i in n.get("input", []):
                key = self._key(i)
                self.consumers[key] = self.consumers.get(key, 0) + 1

    @staticmethod
    def _key(tf_input):
        name = tf_input.lstrip("^")
        if name.endswith(":0"):
            name = name[:-2]
        return name

    def _fresh(self, base):
        self.unique += 1
        return f"{base}__{self.unique}"

    def _const(self, base, array):
        name = self._fresh(base)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def _emit(self, op, inputs, base, **attrs):
        out = self._fresh(base)
        node = helper.make_node(op, inputs, [out], name=out, **attrs)
        self.nodes.append(node)
        return out, node

    # ----- layout helpers -------------------------------------------------------------------------------------
    def materialize_pads(self, t):
        if not t.pending_pads:
            return t
        pads = [b for b, _ in t.pending_pads] + [e for _, e in t.pending_pads]
        inputs = [t.name, self._const("pads", np.array(pads, np.int64))]
        if t.pad_value != 0.0:
            inputs.append(self._const("pad_value", np.array(t.pad_value, np.float32)))
        out, _ = self._emit("Pad", inputs, "pad", mode="constant")
        return Tensor(out, t.padded_phys_shape(), t.to_logical)

    def with_layout(self, t, to_logical):
        """Returns t with the requested physical layout, emitting one Transpose if needed."""
        t = self.materialize_pads(t)
        if t.to_logical == list(to_logical):
            return t
        # Want new physical P' with logical = transpose(P', to_logical); logical = transpose(P, t.to_logical).
        # P' axis k = logical axis j where to_logical[j] = k ... build via logical.
        inv_new = np.argsort(to_logical)  # P' = transpose(logical, inv_new)
        perm = [t.to_logical[int(j)] for j in inv_new]  # P' = transpose(P, perm)
        out, _ = self._emit("Transpose", [t.name], "transpose", perm=perm)
        shape = [t.phys_shape[p] for p in perm]
        return Tensor(out, shape, to_logical)

    def get(self, tf_input):
        key = self._key(tf_input)
        if key not in self.values:
            raise ConversionError(f"input {tf_input} is not computed yet (graph not in topological order?)")
        return self.values[key]

    # ----- conversion ------------------------------------------------------------------------------------------
    def run(self):
        pending = list(self.tf_nodes)
        done = set()
        while pending:
            progressed = False
            rest = []
            for n in pending:
                deps = [self._key(i) for i in n.get("input", [])]
                if all(d.split(":")[0] in done or d in self.values for d in deps):
                    self.convert(n)
                    done.add(n["name"])
                    progressed = True
                else:
                    rest.append(n)
            if not progressed:
                raise ConversionError(f"cycle or missing inputs at {rest[0]['name']}")
            pending = rest
        return self.build_model()

    def convert(self, n):
        op = n["op"]
        name = n["name"]
        attr = n.get("attr", {})
        ins = n.get("input", [])
        handler = getattr(self, "op_" + op, None)
        if handler is None:
            raise ConversionError(f"unsupported op {op} at {name}")
        handler(name, ins, attr)

    def op_Const(self, name, ins, attr):
        if name not in self.weights:
            raise ConversionError(f"constant {name} has no data in the weights manifest")
        self.values[name] = self.weights[name]

    def op_Placeholder(self, name, ins, attr):
        dims = [int(d["size"]) for d in attr["shape"]["shape"]["dim"]]
        if dims != [1, 3, NOMINAL_SIZE, NOMINAL_SIZE]:
            raise ConversionError(f"unexpected input shape {dims}")
        self.input_name = name
        self.values[name] = Tensor(name, [1, 3, self.size, self.size])

    def op_Identity(self, name, ins, attr):
        self.values[name] = self.get(ins[0])

    def op_SparseToDense(self, name, ins, attr):
        indices, out_shape, values, default = (np.asarray(self.get(i)) for i in ins)
        dense = np.full(out_shape.astype(np.int64), default, dtype=values.dtype)
        if indices.size:
            flat = indices.reshape(indices.shape[0], -1)
            for idx, v in zip(flat, np.broadcast_to(values, (flat.shape[0],))):
                dense[tuple(idx)] = v
        self.values[name] = dense

    def op_Transpose(self, name, ins, attr):
        x = self.get(ins[0])
        perm = [int(p) for p in self.get(ins[1])]
        if isinstance(x, np.ndarray):
            self.values[name] = np.transpose(x, perm)
            return
        # logical_out = transpose(logical_in, perm) = transpose(phys, [to_logical[p] for p in perm]).
        # Pending pads are per physical axis, so they are unaffected.
        self.values[name] = Tensor(x.name, x.phys_shape, [x.to_logical[p] for p in perm], x.pending_pads,
                                   x.pad_value)

    def _pad(self, name, ins, pad_value):
        x = self.get(ins[0])
        paddings = np.asarray(self.get(ins[1])).astype(np.int64)
        x = self.materialize_pads(x) if x.pending_pads else x
        phys_pads = [(0, 0)] * len(x.phys_shape)
        for logical_axis, (b, e) in enumerate(paddings):
            phys_pads[x.to_logical[logical_axis]] = (int(b), int(e))
        self.values[name] = Tensor(x.name, x.phys_shape, x.to_logical, phys_pads, pad_value)

    def op_Pad(self, name, ins, attr):
        self._pad(name, ins, 0.0)

    def op_PadV2(self, name, ins, attr):
        value = float(np.asarray(self.get(ins[2])))
        self._pad(name, ins, value)

    def _spatial_pads(self, x, allowed_value):
        """Takes the pending pads of an NCHW-physical tensor for a Conv/MaxPool: ONNX [top, left, bottom, right]."""
        if not x.pending_pads:
            return x, [0, 0, 0, 0]
        (nb, ne), (cb, ce), (tb, te), (lb, le) = x.pending_pads
        if nb or ne or cb or ce or x.pad_value != allowed_value:
            return self.materialize_pads(x), [0, 0, 0, 0]
        return Tensor(x.name, x.phys_shape, x.to_logical), [tb, lb, te, le]

    NHWC_FROM_NCHW = [0, 2, 3, 1]

    def _nchw_input(self, x):
        """Returns (tensor with NCHW physical layout of an NHWC-logical TF tensor, its pending pads)."""
        if x.to_logical != self.NHWC_FROM_NCHW:
            x = self.with_layout(x, self.NHWC_FROM_NCHW)
        return x

    def op_Conv2D(self, name, ins, attr):
        x = self._nchw_input(self.get(ins[0]))
        filt = np.asarray(self.get(ins[1]), np.float32)  # HWIO
        if attr.get("data_format", {}).get("s", "") not in ("", base64.b64encode(b"NHWC").decode()):
            raise ConversionError(f"{name}: only NHWC Conv2D is supported")
        if base64.b64decode(attr["padding"]["s"]) != b"VALID":
            raise ConversionError(f"{name}: only VALID padding (after an explicit Pad) is supported")
        strides = [int(s) for s in attr["strides"]["list"]["i"]][1:3]
        dil = [int(s) for s in attr.get("dilations", {}).get("list", {}).get("i", ["1"] * 4)][1:3]
        if dil != [1, 1]:
            raise ConversionError(f"{name}: dilations are not supported")
        x, pads = self._spatial_pads(x, 0.0)
        kh, kw, cin, cout = filt.shape
        if cin != x.phys_shape[1]:
            raise ConversionError(f"{name}: filter expects {cin} channels, input has {x.phys_shape[1]}")
        w = self._const(name + "/W", np.ascontiguousarray(filt.transpose(3, 2, 0, 1)))
        out, node = self._emit("Conv", [x.name, w], name, kernel_shape=[kh, kw], strides=strides, pads=pads,
                               dilations=[1, 1], group=1)
        n, c, h, wd = x.phys_shape
        oh = (h + pads[0] + pads[2] - kh) // strides[0] + 1
        ow = (wd + pads[1] + pads[3] - kw) // strides[1] + 1
        self.conv_by_output[out] = (node, cout)
        self.values[name] = Tensor(out, [n, cout, oh, ow], self.NHWC_FROM_NCHW)

    def op_MaxPool(self, name, ins, attr):
        x = self._nchw_input(self.get(ins[0]))
        if base64.b64decode(attr["padding"]["s"]) != b"VALID":
            raise ConversionError(f"{name}: only VALID padding is supported")
        k = [int(s) for s in attr["ksize"]["list"]["i"]][1:3]
        strides = [int(s) for s in attr["strides"]["list"]["i"]][1:3]
        # A max pool ignores ONNX pads, which equals padding with -inf.
        x, pads = self._spatial_pads(x, float("-inf"))
        out, _ = self._emit("MaxPool", [x.name], name, kernel_shape=k, strides=strides, pads=pads)
        n, c, h, w = x.phys_shape
        oh = (h + pads[0] + pads[2] - k[0]) // strides[0] + 1
        ow = (w + pads[1] + pads[3] - k[1]) // strides[1] + 1
        self.values[name] = Tensor(out, [n, c, oh, ow], self.NHWC_FROM_NCHW)

    def _add(self, name, ins, attr):
        a, b = self.get(ins[0]), self.get(ins[1])
        if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
            self.values[name] = a + b
            return
        if isinstance(a, np.ndarray):
            a, b = b, a
        if isinstance(b, np.ndarray):
            # Bias add: fold into the Conv that produced `a` when it has no other consumer.
            conv = self.conv_by_output.get(a.name)
            key = self._key(ins[0]) if not isinstance(self.get(ins[0]), np.ndarray) else self._key(ins[1])
            logical = a.logical_shape()
            if (conv is not None and b.ndim == 1 and b.shape[0] == conv[1] and logical[-1] == conv[1]
                    and a.to_logical == self.NHWC_FROM_NCHW and not a.pending_pads
                    and self.consumers.get(key, 0) == 1 and len(conv[0].input) == 2):
                conv[0].input.append(self._const(name + "/B", b.astype(np.float32)))
                self.values[name] = a
                return
            raise ConversionError(f"{name}: unsupported Add of a tensor and a constant")
        b = self.with_layout(b, a.to_logical) if b.to_logical != a.to_logical or b.pending_pads else b
        a = self.materialize_pads(a)
        if a.logical_shape() != b.logical_shape():
            raise ConversionError(f"{name}: Add of shapes {a.logical_shape()} and {b.logical_shape()}")
        out, _ = self._emit("Add", [a.name, b.name], name)
        self.values[name] = Tensor(out, a.phys_shape, a.to_logical)

    op_Add = _add
    op_AddV2 = _add

    def _unary(self, onnx_op, name, ins, **attrs):
        x = self.materialize_pads(self.get(ins[0]))
        out, _ = self._emit(onnx_op, [x.name], name, **attrs)
        self.values[name] = Tensor(out, x.phys_shape, x.to_logical)

    def op_LeakyRelu(self, name, ins, attr):
        self._unary("LeakyRelu", name, ins, alpha=float(attr["alpha"]["f"]))

    def op_Sigmoid(self, name, ins, attr):
        self._unary("Sigmoid", name, ins)

    def op_ConcatV2(self, name, ins, attr):
        parts = [self.get(i) for i in ins[:-1]]
        axis = int(np.asarray(self.get(ins[-1])))
        first = self.materialize_pads(parts[0])
        parts = [first] + [self.with_layout(p, first.to_logical) for p in parts[1:]]
        rank = len(first.phys_shape)
        axis = axis % rank
        phys_axis = first.to_logical[axis]
        out, _ = self._emit("Concat", [p.name for p in parts], name, axis=phys_axis)
        shape = list(first.phys_shape)
        shape[phys_axis] = sum(p.phys_shape[phys_axis] for p in parts)
        self.values[name] = Tensor(out, shape, first.to_logical)

    def op_ResizeBilinear(self, name, ins, attr):
        if attr.get("align_corners", {}).get("b") or not attr.get("half_pixel_centers", {}).get("b"):
            raise ConversionError(f"{name}: only half_pixel_centers resizes are supported")
        x = self._nchw_input(self.get(ins[0]))
        target = [int(v) for v in np.asarray(self.get(ins[1]))]  # at the nominal input size
        n, c, h, w = x.phys_shape
        scales = []
        for dim, tgt in zip((h, w), target):
            nominal = dim * NOMINAL_SIZE / self.size
            scale = tgt / nominal
            if abs(dim * scale - round(dim * scale)) > 1e-6:
                raise ConversionError(f"{name}: size {self.size} gives a fractional resize of {dim} by {scale}")
            scales.append(scale)
        roi = self._const(name + "/roi", np.zeros([0], np.float32))
        sc = self._const(name + "/scales", np.array([1.0, 1.0] + scales, np.float32))
        out, _ = self._emit("Resize", [x.name, roi, sc], name, mode="linear",
                            coordinate_transformation_mode="half_pixel")
        self.values[name] = Tensor(out, [n, c, round(h * scales[0]), round(w * scales[1])],
                                   self.NHWC_FROM_NCHW)

    def op_SplitV(self, name, ins, attr):
        x = self.materialize_pads(self.get(ins[0]))
        sizes = [int(s) for s in np.asarray(self.get(ins[1]))]
        axis = int(np.asarray(self.get(ins[2]))) % len(x.phys_shape)
        phys_axis = x.to_logical[axis]
        if sum(sizes) != x.phys_shape[phys_axis] or -1 in sizes:
            raise ConversionError(f"{name}: split sizes {sizes} do not match {x.phys_shape[phys_axis]}")
        start = 0
        for k, s in enumerate(sizes):
            out, _ = self._emit("Slice", [x.name, self._const("starts", np.array([start], np.int64)),
                                          self._const("ends", np.array([start + s], np.int64)),
                                          self._const("axes", np.array([phys_axis], np.int64))],
                                f"{name}_{k}")
            shape = list(x.phys_shape)
            shape[phys_axis] = s
            self.values[name if k == 0 else f"{name}:{k}"] = Tensor(out, shape, x.to_logical)
            start += s

    def op_Reshape(self, name, ins, attr):
        x = self.get(ins[0])
        target = [int(v) for v in np.asarray(self.get(ins[1]))]
        x = self.with_layout(x, list(range(len(x.phys_shape))))  # reshape needs logical element order
        logical = x.logical_shape()
        total = int(np.prod(logical))
        # The graph's shape constants are [N, C, -1] flattening the spatial cells: keep N and C, infer the rest.
        if target.count(-1) > 1:
            raise ConversionError(f"{name}: more than one -1 in shape {target}")
        if -1 in target:
            known = int(np.prod([d for d in target if d != -1]))
            target = [total // known if d == -1 else d for d in target]
        if int(np.prod(target)) != total:
            raise ConversionError(f"{name}: cannot reshape {logical} to {target}")
        out, _ = self._emit("Reshape", [x.name, self._const(name + "/shape", np.array(target, np.int64))], name)
        self.values[name] = Tensor(out, target)

    def build_model(self):
        outputs = []
        for out_name in OUTPUT_NAMES:
            t = self.values[out_name]
            if self.output_layout == "channels" and t.logical_shape()[1:] == [t.phys_shape[2], t.phys_shape[1]]:
                t = self.materialize_pads(t)  # [1, C, cells] as computed: no Transpose
            else:
                t = self.with_layout(t, list(range(len(t.phys_shape))))
            # Rename the producing node's output to the stable public name.
            for node in self.nodes:
                for i, o in enumerate(node.output):
                    if o == t.name:
                        node.output[i] = out_name
                for i, inp in enumerate(node.input):
                    if inp == t.name:
                        node.input[i] = out_name
            outputs.append(helper.make_tensor_value_info(out_name, TensorProto.FLOAT, t.phys_shape))
        graph = helper.make_graph(
            self.nodes, "nanodet",
            [helper.make_tensor_value_info(self.input_name, TensorProto.FLOAT, [1, 3, self.size, self.size])],
            outputs, self.initializers)
        model = helper.make_model(graph, producer_name="corvette tools/tfjs_to_onnx.py",
                                  opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 7
        onnx.checker.check_model(model)
        return model


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", required=True, help="nanodet.json (the .bin is looked up beside it)")
    parser.add_argument("--output", required=True, help="ONNX file to write")
    parser.add_argument("--size", type=int, default=320, help="square input size, a multiple of 32")
    parser.add_argument("--output-layout", choices=["channels", "cells"], default="channels",
                        help="outputs as [1, values, cells] (default: no Transpose left in the graph) or as "
                             "the TF.js graph's [1, cells, values]")
    args = parser.parse_args(argv)
    if args.size <= 0 or args.size % 32:
        print(f"tfjs_to_onnx: --size {args.size} must be a positive multiple of 32", file=sys.stderr)
        return 2
    try:
        with open(args.json) as f:
            model_json = json.load(f)
        if model_json.get("format") != "graph-model":
            raise ConversionError(f"{args.json} is not a TF.js graph model")
        weights = load_weights(model_json, os.path.dirname(os.path.abspath(args.json)))
        model = Converter(model_json, weights, args.size, args.output_layout).run()
    except (OSError, ValueError, KeyError, ConversionError) as e:
        print(f"tfjs_to_onnx: cannot convert {args.json}: {e}", file=sys.stderr)
        return 1
    tmp = args.output + ".tmp"
    onnx.save(model, tmp)
    os.replace(tmp, args.output)
    ops = {}
    for node in model.graph.node:
        ops[node.op_type] = ops.get(node.op_type, 0) + 1
    print(f"tfjs_to_onnx: wrote {args.output} (input {args.size}x{args.size}, {len(model.graph.node)} nodes: "
          + ", ".join(f"{k} {v}" for k, v in sorted(ops.items())) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
