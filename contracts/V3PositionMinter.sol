// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

interface IERC20Mint {
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

interface IUniswapV3PoolMint {
    function token0() external view returns (address);
    function token1() external view returns (address);
    function mint(address recipient, int24 tickLower, int24 tickUpper, uint128 amount, bytes calldata data)
        external returns (uint256, uint256);
}

/// @title V3PositionMinter
/// @notice Mints a Uniswap V3 position directly on the pool for the caller (who owns it) and pays the
/// pool from the caller in the mint callback: the lean part of NonfungiblePositionManager.
contract V3PositionMinter {
    address private activePool;
    address private activePayer;

    function mint(address pool, int24 tickLower, int24 tickUpper, uint128 liquidity)
        external returns (uint256 amount0, uint256 amount1) {
        activePool = pool;
        activePayer = msg.sender;
        (amount0, amount1) = IUniswapV3PoolMint(pool).mint(msg.sender, tickLower, tickUpper, liquidity, "");
        activePool = address(0);
        activePayer = address(0);
    }

    function uniswapV3MintCallback(uint256 owed0, uint256 owed1, bytes calldata) external {
        require(msg.sender == activePool, "not the active pool");
        if (owed0 > 0) {
            require(IERC20Mint(IUniswapV3PoolMint(msg.sender).token0()).transferFrom(activePayer, msg.sender, owed0),
                    "pay token0");
        }
        if (owed1 > 0) {
            require(IERC20Mint(IUniswapV3PoolMint(msg.sender).token1()).transferFrom(activePayer, msg.sender, owed1),
                    "pay token1");
        }
    }
}
