// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

interface IERC20Split {
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

interface IUniswapV2PairSplit {
    function token0() external view returns (address);
    function getReserves() external view returns (uint112, uint112, uint32);
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
}

interface IUniswapV3PoolSplit {
    function token0() external view returns (address);
    function swap(address recipient, bool zeroForOne, int256 amountSpecified, uint160 sqrtPriceLimitX96,
                  bytes calldata data) external returns (int256, int256);
}

/// @title SplitRouter
/// @notice An aggregator-style router (1inch/0x-like): one order is split across a Uniswap V2 pair and a
/// Uniswap V3 pool, paid straight from the order's owner to the venues, proceeds straight to the owner.
/// An owner may name a solver that fills its orders for it (the owner approves, the solver sends).
contract SplitRouter {
    uint160 internal constant MIN_SQRT_RATIO = 4295128739;
    uint160 internal constant MAX_SQRT_RATIO = 1461446703485210103287273052203988822378723970342;

    mapping(address => address) public solverOf;
    address private activePool;
    address private activePayer;

    event SolverSet(address indexed owner, address indexed solver);
    event OrderFilled(address indexed owner, address indexed executor, address tokenIn, uint256 amountIn,
                      uint256 amountOut, uint256 v2In, uint256 v3In);

    /// @notice Lets `solver` fill the sender's orders (with the sender's approval of this router).
    function setSolver(address solver) external {
        solverOf[msg.sender] = solver;
        emit SolverSet(msg.sender, solver);
    }

    /// @notice Sells `amountIn` of `tokenIn`: `v2Bps`/10000 through `pair`, the rest through `pool`.
    function swapSplit(address pair, address pool, address tokenIn, uint256 amountIn, uint256 v2Bps,
                       uint256 minOut) external returns (uint256) {
        return _fill(msg.sender, pair, pool, tokenIn, amountIn, v2Bps, minOut);
    }

    /// @notice The same order filled by the owner's solver on the owner's behalf.
    function swapSplitFor(address owner, address pair, address pool, address tokenIn, uint256 amountIn,
                          uint256 v2Bps, uint256 minOut) external returns (uint256) {
        require(solverOf[owner] == msg.sender && msg.sender != address(0), "not the owner's solver");
        return _fill(owner, pair, pool, tokenIn, amountIn, v2Bps, minOut);
    }

    function _fill(address owner, address pair, address pool, address tokenIn, uint256 amountIn,
                   uint256 v2Bps, uint256 minOut) internal returns (uint256 out) {
        require(v2Bps <= 10000, "split");
        uint256 v2In = (amountIn * v2Bps) / 10000;
        uint256 v3In = amountIn - v2In;
        if (v2In > 0) out += _viaV2(owner, pair, tokenIn, v2In);
        if (v3In > 0) out += _viaV3(owner, pool, tokenIn, v3In);
        require(out >= minOut, "slippage");
        emit OrderFilled(owner, msg.sender, tokenIn, amountIn, out, v2In, v3In);
    }

    function _viaV2(address owner, address pair, address tokenIn, uint256 amountIn) internal returns (uint256 out) {
        (uint112 r0, uint112 r1, ) = IUniswapV2PairSplit(pair).getReserves();
        bool inIs0 = IUniswapV2PairSplit(pair).token0() == tokenIn;
        (uint256 rIn, uint256 rOut) = inIs0 ? (uint256(r0), uint256(r1)) : (uint256(r1), uint256(r0));
        uint256 withFee = amountIn * 997;
        out = (withFee * rOut) / (rIn * 1000 + withFee);
        require(IERC20Split(tokenIn).transferFrom(owner, pair, amountIn), "pay pair");
        IUniswapV2PairSplit(pair).swap(inIs0 ? 0 : out, inIs0 ? out : 0, owner, "");
    }

    function _viaV3(address owner, address pool, address tokenIn, uint256 amountIn) internal returns (uint256) {
        bool zeroForOne = IUniswapV3PoolSplit(pool).token0() == tokenIn;
        activePool = pool;
        activePayer = owner;
        (int256 a0, int256 a1) = IUniswapV3PoolSplit(pool).swap(
            owner, zeroForOne, int256(amountIn), zeroForOne ? MIN_SQRT_RATIO + 1 : MAX_SQRT_RATIO - 1,
            abi.encode(tokenIn));
        activePool = address(0);
        activePayer = address(0);
        return uint256(-(zeroForOne ? a1 : a0));
    }

    /// @notice Pays the pool what the swap owes it, from the order's owner.
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata data) external {
        require(msg.sender == activePool, "not the active pool");
        address tokenIn = abi.decode(data, (address));
        uint256 owed = uint256(amount0Delta > 0 ? amount0Delta : amount1Delta);
        require(IERC20Split(tokenIn).transferFrom(activePayer, msg.sender, owed), "pay pool");
    }
}
