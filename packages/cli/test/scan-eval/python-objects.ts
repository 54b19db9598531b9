/**
 * The Python objects that real model files hold, described for `pickler.ts` as their `__reduce_ex__`
 * writes them (checked against CPython 3.11, numpy 1.24, scikit-learn 1.2, pandas 1.5 and joblib 1.2
 * with `pickletools.dis`): numpy arrays, dtypes and scalars, scikit-learn estimators, pandas frames,
 * PyTorch state dicts (zip and legacy), and joblib's format with array bytes between the opcodes.
 */
import { strToU8, zipSync } from 'fflate';
import { call, dict, dumps, float, global, instance, type Pickler, type Py, tuple } from './pickler.js';

export type DtypeCode =
  | 'f2'
  | 'f4'
  | 'f8'
  | 'i4'
  | 'i8'
  | 'u1'
  | 'b1'
  | 'c16'
  | 'O8'
  | `U${number}`
  | `V${number}`;

/** Fields of a structured dtype: name, member dtype code, byte offset. */
export type Fields = Array<[name: string, code: DtypeCode, offset: number]>;

/** `numpy.dtype(code)` with the state tuple numpy 1.x writes (flags 63 objects, 27 records with objects). */
export function dtype(code: DtypeCode, fields?: Fields): Py {
  const flexible = code[0] === 'U' || code[0] === 'V';
  const size = flexible ? Number(code.slice(1)) * (code[0] === 'U' ? 4 : 1) : -1;
  const order = code === 'u1' || code === 'b1' || code === 'O8' || code[0] === 'V' ? '|' : '<';
  const hasObject = fields?.some(([, c]) => c === 'O8') ?? false;
  const flags = code === 'O8' ? 63 : fields ? (hasObject ? 27 : 16) : 0;
  const names = fields ? tuple(...fields.map(([n]) => n)) : null;
  const fieldDict = fields ? dict(fields.map(([n, c, off]): [Py, Py] => [n, tuple(dtype(c), off)])) : null;
  const align = flexible ? (code[0] === 'U' ? 4 : 1) : -1;
  return {
    reduce: global('numpy', 'dtype'),
    args: [code, false, true],
    state: tuple(3, order, null, names, fieldDict, size, align, flags),
  };
}

export function itemSize(code: DtypeCode): number {
  if (code[0] === 'U') return 4 * Number(code.slice(1));
  if (code[0] === 'V') return Number(code.slice(1));
  if (code === 'b1') return 1;
  return Number(code.slice(1));
}

/** Deterministic bytes standing in for weights. */
export function weights(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = x & 0xff;
  }
  return out;
}

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** `ndarray.__reduce__`: `_reconstruct(ndarray, (0,), b'b')` then the state with the raw data. */
export function ndarray(code: DtypeCode, shape: number[], data?: Uint8Array | Py[], core = 'numpy.core'): Py {
  const payload: Py = data ?? weights(count(shape) * itemSize(code), shape.length + count(shape));
  return {
    reduce: global(`${core}.multiarray`, '_reconstruct'),
    args: [global('numpy', 'ndarray'), tuple(0), strToU8('b')],
    state: tuple(1, tuple(...shape), dtype(code), false, payload),
  };
}

/** Protocol 5 arrays: `numpy.core.numeric._frombuffer(buffer, dtype, shape, order)`. */
export function ndarray5(code: DtypeCode, shape: number[]): Py {
  return call(
    'numpy.core.numeric',
    '_frombuffer',
    { bytearray: weights(count(shape) * itemSize(code), 7) },
    dtype(code),
    tuple(...shape),
    'C',
  );
}

/** A numpy scalar (`np.float64(0.5)`, `np.int64(10)`). */
export function scalar(code: DtypeCode, bytes: Uint8Array): Py {
  return call('numpy.core.multiarray', 'scalar', dtype(code), bytes);
}

/** A scikit-learn estimator: NEWOBJ of the class, then its `__dict__` (with `_sklearn_version`). */
export function estimator(module: string, cls: string, fields: Record<string, Py>): Py {
  return instance(module, cls, dict({ ...fields, _sklearn_version: '1.2.1' }));
}

export function standardScaler(nFeatures: number): Py {
  return estimator('sklearn.preprocessing._data', 'StandardScaler', {
    with_mean: true,
    with_std: true,
    copy: true,
    n_features_in_: nFeatures,
    n_samples_seen_: scalar('i8', new Uint8Array([100, 0, 0, 0, 0, 0, 0, 0])),
    mean_: ndarray('f8', [nFeatures]),
    var_: ndarray('f8', [nFeatures]),
    scale_: ndarray('f8', [nFeatures]),
  });
}

export function logisticRegression(nFeatures: number): Py {
  return estimator('sklearn.linear_model._logistic', 'LogisticRegression', {
    penalty: 'l2',
    dual: false,
    tol: float(0.0001),
    C: float(1),
    fit_intercept: true,
    intercept_scaling: 1,
    class_weight: null,
    random_state: null,
    solver: 'lbfgs',
    max_iter: 100,
    multi_class: 'auto',
    verbose: 0,
    warm_start: false,
    n_jobs: null,
    l1_ratio: null,
    n_features_in_: nFeatures,
    classes_: ndarray('i8', [2]),
    n_iter_: ndarray('i4', [1]),
    coef_: ndarray('f8', [1, nFeatures]),
    intercept_: ndarray('f8', [1]),
  });
}

export function pipeline(steps: Array<[string, Py]>): Py {
  return estimator('sklearn.pipeline', 'Pipeline', {
    steps: steps.map(([n, e]) => tuple(n, e)),
    memory: null,
    verbose: false,
  });
}

/** The record type of scikit-learn's tree nodes (`sklearn.tree._tree.NODE_DTYPE`, 56 bytes). */
export const NODE_FIELDS: Fields = [
  ['left_child', 'i8', 0],
  ['right_child', 'i8', 8],
  ['feature', 'i8', 16],
  ['threshold', 'f8', 24],
  ['impurity', 'f8', 32],
  ['n_node_samples', 'i8', 40],
  ['weighted_n_node_samples', 'f8', 48],
];

/** A fitted decision tree: `Tree.__reduce__` plus its node array (a structured dtype). */
export function decisionTree(cls: 'DecisionTreeClassifier' | 'DecisionTreeRegressor', nodes = 7): Py {
  const nodeArray: Py = {
    reduce: global('numpy.core.multiarray', '_reconstruct'),
    args: [global('numpy', 'ndarray'), tuple(0), strToU8('b')],
    state: tuple(1, tuple(nodes), dtype('V56', NODE_FIELDS), false, weights(nodes * 56, 3)),
  };
  const tree: Py = {
    reduce: global('sklearn.tree._tree', 'Tree'),
    args: [4, ndarray('i8', [1]), 1],
    state: dict({ max_depth: 3, node_count: nodes, nodes: nodeArray, values: ndarray('f8', [nodes, 1, 2]) }),
  };
  return estimator('sklearn.tree._classes', cls, {
    criterion: 'gini',
    splitter: 'best',
    max_depth: 3,
    min_samples_split: 2,
    random_state: 0,
    n_features_in_: 4,
    n_outputs_: 1,
    classes_: ndarray('i8', [2]),
    n_classes_: scalar('i8', new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0])),
    max_features_: 4,
    tree_: tree,
  });
}

export function randomForest(nTrees: number): Py {
  const trees = Array.from({ length: nTrees }, () => decisionTree('DecisionTreeClassifier'));
  return estimator('sklearn.ensemble._forest', 'RandomForestClassifier', {
    estimator: decisionTree('DecisionTreeClassifier', 1),
    n_estimators: nTrees,
    estimators_: trees,
    n_features_in_: 4,
    classes_: ndarray('i8', [2]),
    n_classes_: 2,
    n_outputs_: 1,
    oob_score: false,
  });
}

/** An object array of plain strings (`feature_names_in_` of an estimator fitted on a DataFrame). */
export function stringArray(values: string[]): Py {
  return ndarray('O8', [values.length], values);
}

export function columnTransformer(): Py {
  return estimator('sklearn.compose._column_transformer', 'ColumnTransformer', {
    transformers: [tuple('num', standardScaler(2), ['a', 'c']), tuple('cat', oneHotEncoder(), ['b'])],
    remainder: 'drop',
    sparse_threshold: float(0.3),
    n_jobs: null,
    feature_names_in_: stringArray(['a', 'b', 'c']),
    n_features_in_: 3,
    _columns: [['a', 'c'], ['b']],
    _remainder: tuple('remainder', 'drop', []),
    sparse_output_: false,
    transformers_: [tuple('num', standardScaler(2), ['a', 'c']), tuple('cat', oneHotEncoder(), ['b'])],
    output_indices_: dict({
      num: call('builtins', 'slice', 0, 2, null),
      cat: call('builtins', 'slice', 2, 4, null),
    }),
  });
}

export function oneHotEncoder(): Py {
  return estimator('sklearn.preprocessing._encoders', 'OneHotEncoder', {
    categories: 'auto',
    sparse_output: true,
    dtype: global('numpy', 'float64'),
    handle_unknown: 'error',
    drop: null,
    categories_: [stringArray(['x', 'y'])],
    drop_idx_: null,
    n_features_in_: 1,
  });
}

/** A pandas DataFrame as pandas 1.5 pickles it (protocol 5 buffers, BlockManager, indexes). */
export function dataFrame(columns: string[], rows: number): Py {
  const block = call(
    'pandas._libs.internals',
    '_unpickle_block',
    ndarray5('f8', [columns.length, rows]),
    call('builtins', 'slice', 0, columns.length, 1),
    2,
  );
  const colIndex = call(
    'pandas.core.indexes.base',
    '_new_Index',
    global('pandas.core.indexes.base', 'Index'),
    dict({ data: stringArray(columns), name: null }),
  );
  const rowIndex = call(
    'pandas.core.indexes.base',
    '_new_Index',
    global('pandas.core.indexes.range', 'RangeIndex'),
    dict({ name: null, start: 0, stop: rows, step: 1 }),
  );
  const mgr = call('pandas.core.internals.managers', 'BlockManager', tuple(block), [colIndex, rowIndex]);
  return instance(
    'pandas.core.frame',
    'DataFrame',
    dict({
      _mgr: mgr,
      _typ: 'dataframe',
      _metadata: [],
      attrs: dict({}),
      _flags: dict({ allows_duplicate_labels: true }),
    }),
  );
}

/**
 * joblib: each array is a NumpyArrayWrapper followed by its bytes, written straight to the file. Arrays
 * holding Python objects (object dtype, or records with an object field) are a nested protocol 2 pickle.
 */
export function joblibArray(code: DtypeCode, shape: number[], objects?: Py[], fields?: Fields): Py {
  const wrapper = instance(
    'joblib.numpy_pickle',
    'NumpyArrayWrapper',
    dict({
      subclass: global('numpy', 'ndarray'),
      shape: tuple(...shape),
      order: 'C',
      dtype: dtype(code, fields),
      allow_mmap: objects === undefined,
      numpy_array_alignment_bytes: 16,
    }),
  );
  return {
    raw: (p: Pickler) => {
      p.save(wrapper);
      if (objects) {
        const whole: Py = {
          reduce: global('numpy.core.multiarray', '_reconstruct'),
          args: [global('numpy', 'ndarray'), tuple(0), strToU8('b')],
          state: tuple(1, tuple(...shape), dtype(code, fields), false, objects),
        };
        p.direct(dumps(whole, 2));
        return;
      }
      p.commitFrame(true);
      const pos = p.bytes().length;
      const pad = 16 - ((pos + 1) % 16);
      p.direct(Uint8Array.from([pad, ...new Array(pad).fill(0xff)]));
      p.direct(weights(count(shape) * itemSize(code), pos));
    },
  };
}

/** A joblib-style estimator: the same estimators with arrays written the joblib way. */
export function joblibScaler(n: number): Py {
  return estimator('sklearn.preprocessing._data', 'StandardScaler', {
    with_mean: true,
    with_std: true,
    copy: true,
    n_features_in_: n,
    n_samples_seen_: scalar('i8', new Uint8Array([50, 0, 0, 0, 0, 0, 0, 0])),
    mean_: joblibArray('f8', [n]),
    var_: joblibArray('f8', [n]),
    scale_: joblibArray('f8', [n]),
  });
}

export function joblibLogistic(n: number, names?: string[]): Py {
  return estimator('sklearn.linear_model._logistic', 'LogisticRegression', {
    penalty: 'l2',
    C: float(1),
    solver: 'lbfgs',
    max_iter: 100,
    n_features_in_: n,
    ...(names ? { feature_names_in_: joblibArray('O8', [names.length], names) } : {}),
    classes_: joblibArray('i8', [2]),
    n_iter_: joblibArray('i4', [1]),
    coef_: joblibArray('f8', [1, n]),
    intercept_: joblibArray('f8', [1]),
  });
}

/** `torch.save` of a state dict: the pickle with persistent ids, and the zip around it. */
export function torchStateDict(tensors: Array<[name: string, storage: string, shape: number[]]>): {
  pickle: Uint8Array;
  storages: Array<[string, Uint8Array]>;
} {
  const storages: Array<[string, Uint8Array]> = [];
  const items: Array<[Py, Py]> = tensors.map(([name, storage, shape], i) => {
    const key = String(i);
    const elem =
      storage.startsWith('Half') || storage.startsWith('BFloat16')
        ? 2
        : storage.startsWith('Long') || storage.startsWith('Double')
          ? 8
          : 4;
    storages.push([key, weights(count(shape) * elem, i + 11)]);
    const persid: Py = {
      raw: (p) => {
        p.save(tuple('storage', global('torch', storage), key, 'cpu', count(shape)));
        p.w(0x51); // BINPERSID
      },
    };
    const strides = shape.map((_, k) => count(shape.slice(k + 1)));
    return [
      name,
      call(
        'torch._utils',
        '_rebuild_tensor_v2',
        persid,
        0,
        tuple(...shape),
        tuple(...strides),
        false,
        call('collections', 'OrderedDict'),
      ),
    ];
  });
  const sd: Py = {
    reduce: global('collections', 'OrderedDict'),
    args: [],
    dictitems: items,
    state: dict({
      _metadata: {
        reduce: global('collections', 'OrderedDict'),
        args: [],
        dictitems: [['', dict({ version: 1 })]],
      },
    }),
  };
  return { pickle: dumps(sd, 2), storages };
}

export function torchZip(
  sd: { pickle: Uint8Array; storages: Array<[string, Uint8Array]> },
  root = 'archive',
): Uint8Array {
  const entries: Record<string, Uint8Array> = {
    [`${root}/data.pkl`]: sd.pickle,
    [`${root}/byteorder`]: strToU8('little'),
    [`${root}/version`]: strToU8('3\n'),
    [`${root}/.data/serialization_id`]: strToU8('1234567890123456789012345678901234567890'),
  };
  for (const [k, v] of sd.storages) entries[`${root}/data/${k}`] = v;
  return zipSync(entries, { level: 0 });
}

/** The legacy (pre-1.6) `torch.save` layout: magic number, protocol, sys info, data, storage keys, bytes. */
export function torchLegacy(sd: { pickle: Uint8Array; storages: Array<[string, Uint8Array]> }): Uint8Array {
  const parts: Uint8Array[] = [
    dumps(0x1950a86a20f9469cfc6cn, 2),
    dumps(1001, 2),
    dumps(
      dict({ protocol_version: 1001, little_endian: true, type_sizes: dict({ short: 2, int: 4, long: 4 }) }),
      2,
    ),
    sd.pickle,
    dumps(
      sd.storages.map(([k]) => k),
      2,
    ),
  ];
  for (const [, v] of sd.storages) parts.push(new Uint8Array(8), v);
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
