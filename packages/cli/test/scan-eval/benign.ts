/**
 * Benign real-world shapes: PyTorch (zip and legacy), Lightning and transformers files, scikit-learn
 * estimators pickled and joblib-dumped, pandas, NumPy, Keras, safetensors, GGUF, ONNX, SavedModel,
 * notebooks and dependency files, written as the real libraries write them.
 */
import { gzipSync, strToU8, zipSync, zlibSync } from 'fflate';
import { u64 } from '../fixtures/pickle-writer.js';
import { gguf, h5, npy, onnxWithExternal, savedModel } from '../fixtures/samples.js';
import { type CorpusFile, kerasZip, type Label } from './files.js';
import { call, dict, dumps, float, global, instance, tuple } from './pickler.js';
import {
  columnTransformer,
  dataFrame,
  decisionTree,
  dtype,
  estimator,
  joblibArray,
  joblibLogistic,
  joblibScaler,
  logisticRegression,
  NODE_FIELDS,
  ndarray,
  ndarray5,
  pipeline,
  randomForest,
  scalar,
  standardScaler,
  stringArray,
  torchLegacy,
  torchStateDict,
  torchZip,
  weights,
} from './python-objects.js';

export function benignTorch(): CorpusFile[] {
  const b = (path: string, data: Uint8Array) => ({
    path: `benign/torch/${path}`,
    data,
    label: 'benign' as Label,
    category: 'benign: PyTorch',
  });
  const mlp = torchStateDict([
    ['fc1.weight', 'FloatStorage', [16, 8]],
    ['fc1.bias', 'FloatStorage', [16]],
    ['fc2.weight', 'FloatStorage', [2, 16]],
    ['fc2.bias', 'FloatStorage', [2]],
  ]);
  const half = torchStateDict([
    ['embed.weight', 'HalfStorage', [32, 8]],
    ['ln.weight', 'HalfStorage', [8]],
  ]);
  const bf16 = torchStateDict([['lm_head.weight', 'BFloat16Storage', [16, 8]]]);
  const cnn = torchStateDict([
    ['conv1.weight', 'FloatStorage', [4, 1, 3, 3]],
    ['bn1.running_mean', 'FloatStorage', [4]],
    ['bn1.num_batches_tracked', 'LongStorage', [1]],
  ]);
  // A training checkpoint: model, optimizer state, epoch, hyper-parameters.
  const ckpt = dumps(
    dict({
      epoch: 12,
      global_step: 3400,
      state_dict: dict({ w: ndarray('f4', [4, 4]) }),
      optimizer: dict({
        state: dict([[0, dict({ step: 10, exp_avg: ndarray('f4', [4]) })]]),
        param_groups: [dict({ lr: float(0.001), betas: tuple(float(0.9), float(0.999)), weight_decay: 0 })],
      }),
      hyper_parameters: instance('lightning.fabric.utilities.data', 'AttributeDict', dict({}), []),
      pytorch_lightning_version: '2.1.0',
    }),
    2,
  );
  const trainingArgs = dumps(
    instance(
      'transformers.training_args',
      'TrainingArguments',
      dict({
        output_dir: 'out',
        learning_rate: float(5e-5),
        num_train_epochs: float(3),
        evaluation_strategy: call('transformers.trainer_utils', 'IntervalStrategy', 'epoch'),
        lr_scheduler_type: call('transformers.trainer_utils', 'SchedulerType', 'linear'),
        optim: call('transformers.training_args', 'OptimizerNames', 'adamw_torch'),
        hub_strategy: call('transformers.trainer_utils', 'HubStrategy', 'every_save'),
        logging_dir: 'out/runs',
        report_to: ['tensorboard'],
      }),
    ),
    4,
  );
  return [
    b('mlp.pt', torchZip(mlp)),
    b('half.pth', torchZip(half, 'model')),
    b('bf16.bin', torchZip(bf16, 'pytorch_model')),
    b('cnn.ckpt', torchZip(cnn)),
    b('legacy.pt', torchLegacy(mlp)),
    b(
      'lightning.ckpt',
      zipSync({ 'archive/data.pkl': ckpt, 'archive/version': strToU8('3\n') }, { level: 0 }),
    ),
    b(
      'training_args.bin',
      zipSync(
        { 'training_args/data.pkl': trainingArgs, 'training_args/version': strToU8('3\n') },
        { level: 0 },
      ),
    ),
    b('optimizer.pt', torchZip(torchStateDict([['state.0.exp_avg', 'FloatStorage', [8]]]))),
    b(
      'resnet-block.pth',
      torchZip(
        torchStateDict(
          ['conv1', 'bn1', 'conv2', 'bn2', 'downsample.0', 'downsample.1'].flatMap(
            (l): Array<[string, string, number[]]> => [
              [`layer1.0.${l}.weight`, 'FloatStorage', [8, 8]],
              [`layer1.0.${l}.bias`, 'FloatStorage', [8]],
            ],
          ),
        ),
      ),
    ),
    b(
      'embedding.pt',
      torchZip(
        torchStateDict([
          ['tok.weight', 'FloatStorage', [100, 16]],
          ['pos.ids', 'LongStorage', [1, 32]],
        ]),
      ),
    ),
  ];
}

export function benignSklearn(): CorpusFile[] {
  const b = (path: string, data: Uint8Array) => ({
    path: `benign/sklearn/${path}`,
    data,
    label: 'benign' as Label,
    category: 'benign: scikit-learn / joblib',
  });
  const joblibPipe = dumps(
    pipeline([
      ['scale', joblibScaler(4)],
      ['clf', joblibLogistic(4)],
    ]),
    4,
  );
  const joblibNamed = dumps(
    pipeline([
      ['scale', joblibScaler(3)],
      ['clf', joblibLogistic(3, ['age', 'income', 'city'])],
    ]),
    4,
  );
  const joblibForest = dumps(
    estimator('sklearn.ensemble._forest', 'RandomForestRegressor', {
      n_estimators: 2,
      estimators_: [
        estimator('sklearn.tree._classes', 'DecisionTreeRegressor', {
          tree_: {
            reduce: global('sklearn.tree._tree', 'Tree'),
            args: [4, joblibArray('i8', [1]), 1],
            state: dict({
              max_depth: 2,
              node_count: 3,
              nodes: joblibArray('V56', [3], undefined, NODE_FIELDS),
              values: joblibArray('f8', [3, 1, 1]),
            }),
          },
        }),
      ],
    }),
    4,
  );
  return [
    b(
      'pipeline.pkl',
      dumps(
        pipeline([
          ['scale', standardScaler(4)],
          ['clf', logisticRegression(4)],
        ]),
        4,
      ),
    ),
    b(
      'pipeline-proto2.pkl',
      dumps(
        pipeline([
          ['scale', standardScaler(4)],
          ['clf', logisticRegression(4)],
        ]),
        2,
      ),
    ),
    b(
      'pipeline-proto5.pkl',
      dumps(
        pipeline([
          ['scale', standardScaler(3)],
          ['clf', logisticRegression(3)],
        ]),
        5,
      ),
    ),
    b('tree.pkl', dumps(decisionTree('DecisionTreeClassifier'), 4)),
    b('forest.pkl', dumps(randomForest(3), 4)),
    b('column-transformer.pkl', dumps(columnTransformer(), 4)),
    b(
      'function-transformer.pkl',
      dumps(
        pipeline([
          [
            'log',
            estimator('sklearn.preprocessing._function_transformer', 'FunctionTransformer', {
              func: global('numpy.core._multiarray_umath', 'log1p'),
              inverse_func: global('numpy.core._multiarray_umath', 'expm1'),
              validate: false,
            }),
          ],
          ['clf', logisticRegression(2)],
        ]),
        4,
      ),
    ),
    b(
      'kmeans.pkl',
      dumps(
        estimator('sklearn.cluster._kmeans', 'KMeans', {
          n_clusters: 3,
          cluster_centers_: ndarray('f8', [3, 2]),
          labels_: ndarray('i4', [20]),
          inertia_: float(1.5),
          n_iter_: 4,
        }),
        4,
      ),
    ),
    b(
      'svc.pkl',
      dumps(
        estimator('sklearn.svm._classes', 'SVC', {
          kernel: 'rbf',
          C: float(1),
          support_: ndarray('i4', [5]),
          support_vectors_: ndarray('f8', [5, 2]),
          _dual_coef_: ndarray('f8', [1, 5]),
          _intercept_: ndarray('f8', [1]),
          _gamma: float(0.5),
        }),
        4,
      ),
    ),
    b('pipeline.joblib', joblibPipe),
    b('named-features.joblib', joblibNamed),
    b('forest.joblib', joblibForest),
    b(
      'records-with-objects.joblib',
      dumps(
        dict({
          rows: joblibArray(
            'V12',
            [2],
            [tuple(1, 'a'), tuple(2, 'b')],
            [
              ['i', 'i4', 0],
              ['o', 'O8', 4],
            ],
          ),
        }),
        4,
      ),
    ),
    b('pipeline-zlib.joblib', zlibSync(joblibPipe)),
    b('pipeline-gzip.joblib', gzipSync(joblibPipe)),
    b(
      'model.pkl.gz',
      gzipSync(
        dumps(
          pipeline([
            ['scale', standardScaler(2)],
            ['clf', logisticRegression(2)],
          ]),
          4,
        ),
      ),
    ),
    b(
      'label-encoder.pkl',
      dumps(
        estimator('sklearn.preprocessing._label', 'LabelEncoder', {
          classes_: stringArray(['cat', 'dog', 'fish']),
        }),
        4,
      ),
    ),
    b(
      'gbm.pkl',
      dumps(
        estimator('sklearn.ensemble._gb', 'GradientBoostingClassifier', {
          n_estimators: 2,
          learning_rate: float(0.1),
          estimators_: ndarray(
            'O8',
            [2, 1],
            [decisionTree('DecisionTreeRegressor', 3), decisionTree('DecisionTreeRegressor', 3)],
          ),
          init_: estimator('sklearn.dummy', 'DummyClassifier', {
            strategy: 'prior',
            classes_: ndarray('i8', [2]),
          }),
          _rng: {
            reduce: global('numpy.random._pickle', '__randomstate_ctor'),
            args: ['MT19937', global('numpy.random._pickle', '__bit_generator_ctor')],
            state: dict({ bit_generator: 'MT19937', state: dict({ key: ndarray('u1', [8]), pos: 624 }) }),
          },
        }),
        4,
      ),
    ),
    b(
      'naive-bayes.pkl',
      dumps(
        estimator('sklearn.naive_bayes', 'GaussianNB', {
          var_smoothing: float(1e-9),
          class_count_: ndarray('f8', [2]),
          theta_: ndarray('f8', [2, 3]),
          var_: ndarray('f8', [2, 3]),
        }),
        4,
      ),
    ),
    b(
      'pca.joblib',
      dumps(
        estimator('sklearn.decomposition._pca', 'PCA', {
          n_components: 2,
          components_: joblibArray('f8', [2, 4]),
          explained_variance_: joblibArray('f8', [2]),
          mean_: joblibArray('f8', [4]),
        }),
        4,
      ),
    ),
    b(
      'tfidf.pkl',
      dumps(
        estimator('sklearn.feature_extraction.text', 'TfidfVectorizer', {
          lowercase: true,
          dtype: global('numpy', 'float64'),
          vocabulary_: dict({ cat: 0, dog: 1, fish: 2 }),
          _tfidf: estimator('sklearn.feature_extraction.text', 'TfidfTransformer', {
            norm: 'l2',
            idf_: ndarray('f8', [3]),
          }),
          stop_words_: { set: ['the', 'a'] },
        }),
        4,
      ),
    ),
    b(
      'isolation-forest.joblib',
      dumps(
        estimator('sklearn.ensemble._iforest', 'IsolationForest', {
          n_estimators: 1,
          estimators_: [decisionTree('DecisionTreeRegressor', 3)],
          offset_: float(-0.5),
          _max_features: 4,
        }),
        4,
      ),
    ),
    // Shapes from real scikit-learn 1.2 / pandas 1.5 pickles: private classes, Cython reconstructors,
    // functions stored as parameters, scipy's lower-case sparse classes.
    b(
      'calibrated.pkl',
      dumps(
        estimator('sklearn.calibration', 'CalibratedClassifierCV', {
          cv: 2,
          calibrated_classifiers_: [
            instance(
              'sklearn.calibration',
              '_CalibratedClassifier',
              dict({
                estimator: logisticRegression(2),
                calibrators: [
                  instance(
                    'sklearn.calibration',
                    '_SigmoidCalibration',
                    dict({ a_: float(-1), b_: float(0.1) }),
                  ),
                ],
                method: 'sigmoid',
              }),
            ),
          ],
        }),
        5,
      ),
    ),
    b(
      'grid-search.pkl',
      dumps(
        estimator('sklearn.model_selection._search', 'GridSearchCV', {
          estimator: logisticRegression(2),
          param_grid: dict({ C: [1, 2] }),
          scorer_: global('sklearn.metrics._scorer', '_passthrough_scorer'),
          best_params_: dict({ C: 1 }),
          best_estimator_: logisticRegression(2),
        }),
        5,
      ),
    ),
    b(
      'select-k-best.pkl',
      dumps(
        estimator('sklearn.feature_selection._univariate_selection', 'SelectKBest', {
          score_func: global('sklearn.feature_selection._univariate_selection', 'f_classif'),
          k: 2,
          scores_: ndarray('f8', [4]),
          pvalues_: ndarray('f8', [4]),
        }),
        5,
      ),
    ),
    b(
      'knn.pkl',
      dumps(
        estimator('sklearn.neighbors._classification', 'KNeighborsClassifier', {
          n_neighbors: 5,
          _tree: {
            reduce: global('sklearn.neighbors._kd_tree', 'newObj'),
            args: [global('sklearn.neighbors._kd_tree', 'KDTree')],
            state: tuple(ndarray('f8', [10, 2]), ndarray('i8', [10]), 40, 0),
          },
          _fit_X: ndarray('f8', [10, 2]),
        }),
        5,
      ),
    ),
    b(
      'hist-gradient-boosting.pkl',
      dumps(
        estimator(
          'sklearn.ensemble._hist_gradient_boosting.gradient_boosting',
          'HistGradientBoostingClassifier',
          {
            max_iter: 3,
            _loss: call(
              'sklearn._loss._loss',
              '__pyx_unpickle_CyHalfBinomialLoss',
              global('sklearn._loss._loss', 'CyHalfBinomialLoss'),
              123456,
              tuple(),
            ),
            _bin_mapper: instance(
              'sklearn.ensemble._hist_gradient_boosting.binning',
              '_BinMapper',
              dict({ n_bins: 256 }),
            ),
          },
        ),
        5,
      ),
    ),
    b(
      'tfidf-sparse.pkl',
      dumps(
        dict({
          matrix: instance(
            'scipy.sparse._csr',
            'csr_matrix',
            dict({
              _shape: tuple(2, 3),
              data: ndarray('f8', [3]),
              indices: ndarray('i4', [3]),
              indptr: ndarray('i4', [3]),
              maxprint: 50,
            }),
          ),
        }),
        5,
      ),
    ),
    b('range-proto2.pkl', dumps(dict({ steps: call('builtins', 'range', 0, 10, 2), label: 'x' }), 2)),
    b(
      'xgboost.pkl',
      dumps(instance('xgboost.core', 'Booster', dict({ handle: { bytearray: weights(256, 5) } })), 4),
    ),
    b(
      'lightgbm.pkl',
      dumps(
        instance(
          'lightgbm.basic',
          'Booster',
          dict({ handle: 'tree\nversion=v4\n', pandas_categorical: null }),
        ),
        4,
      ),
    ),
  ];
}

export function benignData(): CorpusFile[] {
  const b = (path: string, data: Uint8Array) => ({
    path: `benign/data/${path}`,
    data,
    label: 'benign' as Label,
    category: 'benign: numpy / pandas / plain pickles',
  });
  const plain = dumps(
    dict({
      set: { set: [1, 2, 3] },
      frozen: { frozenset: ['a', 'b'] },
      ns: instance('types', 'SimpleNamespace', dict({ a: 1, b: 'x' })),
      path: call('pathlib', 'PosixPath', 'data', 'train.csv'),
      pure: call('pathlib', 'PurePosixPath', '/srv/models'),
      id: instance(
        'uuid',
        'UUID',
        dict({ int: 0x12345678123456781234567812345678n, is_safe: call('uuid', 'SafeUUID', null) }),
      ),
      when: call('datetime', 'datetime', Uint8Array.from([7, 232, 3, 15, 12, 0, 0, 0, 0, 0])),
      day: call('datetime', 'date', Uint8Array.from([7, 232, 3, 15])),
      price: call('decimal', 'Decimal', '19.99'),
      ordered: { reduce: global('collections', 'OrderedDict'), args: [], dictitems: [['a', 1]] },
      counts: call('collections', 'Counter', dict({ x: 2 })),
      queue: call('collections', 'deque', [1, 2], 10),
      dflt: {
        reduce: global('collections', 'defaultdict'),
        args: [global('builtins', 'list')],
        dictitems: [['k', [1]]],
      },
      frac: call('fractions', 'Fraction', '1/3'),
      cplx: call('builtins', 'complex', float(1), float(2)),
      rng: call('builtins', 'range', 0, 10, 2),
    }),
    4,
  );
  const strObjects = npy('|O', '(3,)', dumps(ndarray('O8', [3], ['a', 'bb', 'ccc']), 3));
  const dictObjects = npy(
    '|O',
    '(2,)',
    dumps(
      ndarray(
        'O8',
        [2],
        [dict({ label: 'cat', box: [1, 2, 3, 4] }), dict({ label: 'dog', box: [float(0.5), 1, 2, 3] })],
      ),
      3,
    ),
  );
  return [
    b('plain-python.pkl', plain),
    b(
      'plain-python-proto2.pkl',
      dumps(
        dict({
          s: { set: [1, 2] },
          ns: instance('types', 'SimpleNamespace', dict({ a: 1 })),
          p: call('pathlib', 'PosixPath', 'x'),
        }),
        2,
      ),
    ),
    b(
      'records.pkl',
      dumps(
        [
          dict({ id: 1, text: 'hello', tags: ['a', 'b'], score: float(0.5) }),
          dict({ id: 2, text: 'bye', tags: [], score: null }),
        ],
        3,
      ),
    ),
    b(
      'nested-arrays-proto2.pkl',
      dumps(dict({ layers: [ndarray('f4', [2, 2]), ndarray('f4', [2])], meta: tuple('v1', 3) }), 2),
    ),
    b('vocab.pkl', dumps(dict(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`tok${i}`, i]))), 4)),
    b('embeddings.pkl', dumps(dict({ words: ['a', 'b'], vectors: ndarray('f4', [2, 64]) }), 4)),
    b('embeddings-proto5.pkl', dumps(dict({ vectors: ndarray5('f4', [8, 16]) }), 5)),
    b('dataframe.pkl', dumps(dataFrame(['a', 'b', 'c'], 20), 5)),
    b(
      'datetime-series.pkl',
      dumps(
        instance(
          'pandas.core.series',
          'Series',
          dict({
            _mgr: call(
              'pandas.core.indexes.datetimes',
              '_new_DatetimeIndex',
              global('pandas.core.indexes.datetimes', 'DatetimeIndex'),
              dict({
                data: call(
                  'pandas._libs.arrays',
                  '__pyx_unpickle_NDArrayBacked',
                  global('pandas.core.arrays.datetimes', 'DatetimeArray'),
                  1234,
                  tuple(),
                ),
                name: null,
                freq: null,
              }),
            ),
            _typ: 'series',
            _name: null,
          }),
        ),
        5,
      ),
    ),
    b(
      'scalars.pkl',
      dumps(
        [
          scalar('f8', new Uint8Array(8)),
          scalar('i8', new Uint8Array(8)),
          global('numpy', 'float64'),
          dtype('f4'),
        ],
        4,
      ),
    ),
    b('weights.npy', npy('<f4', '(4, 4)', new Uint8Array(64))),
    b('labels.npy', npy('<i8', '(10,)', new Uint8Array(80))),
    b('mask.npy', npy('|b1', '(16,)', new Uint8Array(16))),
    b('records.npy', npy("[('x', '<f4'), ('y', '<i4')]", '(2,)', new Uint8Array(16))),
    b('strings.npy', strObjects),
    b('dicts.npy', dictObjects),
    b(
      'arrays.npz',
      zipSync(
        { 'a.npy': npy('<f8', '(2,)', new Uint8Array(16)), 'b.npy': npy('<i4', '(3,)', new Uint8Array(12)) },
        { level: 6 },
      ),
    ),
    b('names.npz', zipSync({ 'names.npy': strObjects, 'x.npy': npy('<f4', '(2,)', new Uint8Array(8)) })),
  ];
}

export function benignOtherFormats(): CorpusFile[] {
  const b = (path: string, data: Uint8Array | string) => ({
    path: `benign/formats/${path}`,
    data,
    label: 'benign' as Label,
    category: 'benign: other model formats',
  });
  const st = (header: object, n: number) => {
    const h = strToU8(JSON.stringify(header));
    return new Uint8Array([...u64(h.length), ...h, ...weights(n, 9)]);
  };
  const denseConfig = JSON.stringify({
    class_name: 'Sequential',
    config: {
      name: 'seq',
      layers: [
        { class_name: 'InputLayer', config: { name: 'in', batch_shape: [null, 4] }, module: 'keras.layers' },
        { class_name: 'Dense', config: { name: 'd1', units: 8, activation: 'relu' }, module: 'keras.layers' },
        { class_name: 'Dropout', config: { name: 'drop', rate: 0.1 }, module: 'keras.layers' },
        {
          class_name: 'Dense',
          config: { name: 'out', units: 1, activation: 'sigmoid' },
          module: 'keras.layers',
        },
      ],
    },
    module: 'keras',
  });
  const notebook = JSON.stringify({
    cells: [
      { cell_type: 'markdown', metadata: {}, source: ['# Training\n', 'Questions: ml-team@example.com'] },
      {
        cell_type: 'code',
        metadata: {},
        execution_count: 1,
        source: [
          'import torch\n',
          'model = torch.nn.Linear(4, 2)\n',
          "torch.save(model.state_dict(), 'model.pt')",
        ],
        outputs: [],
      },
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  });
  return [
    b(
      'model.safetensors',
      st(
        {
          'w.weight': { dtype: 'F32', shape: [4, 4], data_offsets: [0, 64] },
          __metadata__: { format: 'pt' },
        },
        64,
      ),
    ),
    b(
      'fp16.safetensors',
      st(
        {
          a: { dtype: 'F16', shape: [8], data_offsets: [0, 16] },
          b: { dtype: 'BF16', shape: [2, 2], data_offsets: [16, 24] },
        },
        24,
      ),
    ),
    b(
      'empty-tensor.safetensors',
      st(
        {
          e: { dtype: 'I64', shape: [0], data_offsets: [0, 0] },
          x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] },
        },
        8,
      ),
    ),
    b('dense.keras', kerasZip(denseConfig)),
    b('dense.h5', h5(denseConfig)),
    b('weights-only.h5', h5('')),
    b('tiny.gguf', gguf({ 'general.name': 'tiny', 'general.architecture': 'llama' })),
    b(
      'chat.gguf',
      gguf({
        'tokenizer.chat_template': "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}",
      }),
    ),
    b('model.onnx', onnxWithExternal('weights.bin')),
    b('weights.bin', weights(32, 2)),
    b('saved_model.pb', savedModel(['Placeholder', 'MatMul', 'BiasAdd', 'Relu', 'Identity'])),
    b('train.ipynb', notebook),
    b('requirements.txt', 'torch==2.6.0\nnumpy==1.26.4\nscikit-learn==1.5.2\n'),
    b(
      'train.py',
      "import torch\nfrom safetensors.torch import save_file\n\nmodel = torch.nn.Linear(4, 2)\nsave_file(model.state_dict(), 'model.safetensors')\n",
    ),
    b(
      'config.json',
      JSON.stringify({
        architectures: ['BertModel'],
        hidden_size: 768,
        num_attention_heads: 12,
        vocab_size: 30522,
      }),
    ),
  ];
}
