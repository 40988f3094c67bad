"""Tests of dlbook_utils.distributed: DDP with two gloo processes equals one process.

The launch tests start real workers with ``torchrun`` (a few seconds each, CPU, gloo).
"""

import json

import pytest
import torch
from torch.utils.data import TensorDataset

from dlbook_utils import distributed as ddp

N, FEATURES, BATCH, EPOCHS, LR, SEED = 96, 12, 16, 2, 0.5, 3


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    g = torch.Generator().manual_seed(0)
    path = tmp_path_factory.mktemp("data") / "data.pt"
    X = torch.randn(N, FEATURES, generator=g, dtype=torch.float64)
    torch.save({"X": X, "y": torch.randint(0, 10, (N,), generator=g)}, path)
    return path


def one_process_reference(path):
    """Plain training in this process, no DDP: the whole global batch per step."""
    data = torch.load(path, weights_only=True)
    model = ddp.make_mlp(SEED, (FEATURES, 32, 10), dtype=torch.float64)
    loader = ddp.shard_loader(TensorDataset(data["X"], data["y"]), BATCH, 0, 1, SEED)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    for epoch in range(EPOCHS):
        ddp.train_epoch(model, loader, optimizer, epoch, torch.device("cpu"))
    return model.state_dict()


def test_two_processes_with_half_batches_equal_one_with_whole_batches(data_file, tmp_path):
    args = ["--data", data_file, "--out", tmp_path, "--dtype", "float64", "--hidden", 32,
            "--global-batch", BATCH, "--epochs", EPOCHS, "--lr", LR, "--seed", SEED]  # fmt: skip
    stdout = ddp.launch(2, args)
    assert "rank 0 of 2" in stdout and "rank 1 of 2" in stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json", "model.pt"]
    trained = torch.load(tmp_path / "model.pt", weights_only=True)
    reference = one_process_reference(data_file)
    assert list(trained) == list(reference)
    initial = ddp.make_mlp(SEED, (FEATURES, 32, 10), dtype=torch.float64).state_dict()
    for name, value in reference.items():
        assert not torch.allclose(value, initial[name])  # training moved it
        torch.testing.assert_close(trained[name], value, rtol=1e-10, atol=1e-12)

    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["world_size"] == 2 and metrics["backend"] == "gloo"
    assert metrics["replica_gap"] == 0.0  # both replicas hold the same parameters
    assert metrics["steps"] == EPOCHS * N // BATCH
    (r0e0, r0e1), (r1e0, r1e1) = metrics["indices"]
    assert sorted(r0e0 + r1e0) == list(range(N))  # a partition of the data
    assert sorted(r0e1 + r1e1) == list(range(N))
    assert r0e0 != r0e1  # set_epoch reshuffles


def test_a_failing_launch_raises_with_the_workers_stderr(tmp_path):
    missing = tmp_path / "missing.pt"
    with pytest.raises(ddp.DistributedLaunchError, match="missing.pt"):
        ddp.launch(2, ["--data", missing, "--out", tmp_path])
    with pytest.raises(ValueError, match="nproc"):
        ddp.launch(0, [])


def test_sampler_partitions_each_epoch_and_set_epoch_reshuffles():
    dataset = TensorDataset(torch.arange(10.0))
    deal = {}
    for world in (2, 3):
        for drop_last in (True, False):
            shards = []
            for rank in range(world):
                loader = ddp.shard_loader(dataset, 1, rank, world, 0, drop_last=drop_last)
                epochs = []
                for epoch in (0, 1):
                    loader.sampler.set_epoch(epoch)
                    epochs.append(list(loader.sampler))
                shards.append(epochs)
            deal[world, drop_last] = shards
    for epoch in (0, 1):
        halves = [s[epoch] for s in deal[2, True]]
        assert sorted(halves[0] + halves[1]) == list(range(10))  # 10 = 2 x 5: no loss
        thirds = [s[epoch] for s in deal[3, True]]
        assert all(len(t) == 3 for t in thirds)  # 10 // 3 each, one sample left out
        assert len(set(sum(thirds, []))) == 9
        padded = [s[epoch] for s in deal[3, False]]
        assert all(len(t) == 4 for t in padded)  # ceil(10 / 3): two samples repeated
        assert set(sum(padded, [])) == set(range(10))
    assert deal[2, True][0][0] != deal[2, True][0][1]
    # without set_epoch the sampler repeats its order
    loader = ddp.shard_loader(dataset, 1, 0, 2, 0)
    assert list(loader.sampler) == list(loader.sampler)


def test_save_on_rank0_writes_only_from_rank_0(tmp_path):
    ddp.save_on_rank0({"w": torch.ones(2)}, tmp_path / "one.pt", rank=1)
    assert not (tmp_path / "one.pt").exists()
    ddp.save_on_rank0({"w": torch.ones(2)}, tmp_path / "one.pt", rank=0)
    assert torch.equal(
        torch.load(tmp_path / "one.pt", weights_only=True)["w"], torch.ones(2)
    )


def test_make_mlp_is_seeded_and_leaves_the_global_rng_alone():
    state = torch.random.get_rng_state()
    a, b = ddp.make_mlp(1, (4, 3, 2)), ddp.make_mlp(1, (4, 3, 2))
    assert torch.equal(torch.random.get_rng_state(), state)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    assert [type(m).__name__ for m in a] == ["Flatten", "Linear", "ReLU", "Linear"]


def test_worker_builds_the_seeded_mlp_or_the_small_cnn():
    from dlbook_utils import distributed_worker as worker
    from dlbook_utils.models import count_parameters, small_vgg

    args = worker.parse_args(["--data", "d.pt", "--out", "o", "--model", "cnn"])
    torch.manual_seed(args.seed)
    assert count_parameters(worker.build_model(args, 784)) == count_parameters(
        small_vgg(width=8)
    )
    args = worker.parse_args(["--data", "d.pt", "--out", "o", "--dtype", "float64"])
    mlp = worker.build_model(args, 784)
    assert [p.dtype for p in mlp.parameters()] == [torch.float64] * 4
    assert mlp[1].in_features == 784 and mlp[1].out_features == args.hidden


def test_init_distributed_picks_nccl_with_a_gpu_per_rank_else_gloo(monkeypatch):
    """The CUDA branch, without a GPU: torch.cuda and the process group are faked."""
    backends, devices = [], []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "set_device", devices.append)
    monkeypatch.setattr(ddp.dist, "init_process_group", backends.append)
    monkeypatch.setattr(ddp.dist, "get_rank", lambda: 0)
    monkeypatch.setattr(ddp.dist, "get_world_size", lambda: 2)
    monkeypatch.setenv("LOCAL_RANK", "0")
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "1")
    assert ddp.init_distributed() == (0, 2, torch.device("cuda", 0))
    assert ddp.init_distributed(cpu=True)[2] == torch.device("cpu")
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "2")  # two ranks, one GPU: no NCCL
    assert ddp.init_distributed()[2] == torch.device("cpu")
    assert backends == ["nccl", "gloo", "gloo"] and devices == [torch.device("cuda", 0)]
    args = ["--data", "d.pt", "--out", "o"]
    from dlbook_utils import distributed_worker as worker

    assert worker.parse_args(args).device == "auto"
    assert worker.parse_args([*args, "--device", "cpu"]).device == "cpu"
