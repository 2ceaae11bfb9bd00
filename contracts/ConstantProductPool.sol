// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

interface IERC20Pool {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/// @title ConstantProductPool
/// @notice A minimal x*y=k pool between ETH and one ERC-20, with a 0.3% fee, like Uniswap v2.
contract ConstantProductPool {
    address public immutable token;
    uint256 public reserveEth;
    uint256 public reserveToken;

    event Swap(address indexed trader, uint256 ethIn, uint256 tokenIn, uint256 ethOut, uint256 tokenOut);
    event LiquidityAdded(address indexed provider, uint256 ethAmount, uint256 tokenAmount);

    constructor(address token_) {
        token = token_;
    }

    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut)
        public
        pure
        returns (uint256)
    {
        uint256 amountInWithFee = amountIn * 997;
        return (amountInWithFee * reserveOut) / (reserveIn * 1000 + amountInWithFee);
    }

    function addLiquidity(uint256 tokenAmount) external payable {
        require(IERC20Pool(token).transferFrom(msg.sender, address(this), tokenAmount), "pull failed");
        reserveEth += msg.value;
        reserveToken += tokenAmount;
        emit LiquidityAdded(msg.sender, msg.value, tokenAmount);
    }

    function swapEthForToken(uint256 minOut) external payable returns (uint256 out) {
        out = getAmountOut(msg.value, reserveEth, reserveToken);
        require(out >= minOut && out > 0, "slippage");
        reserveEth += msg.value;
        reserveToken -= out;
        require(IERC20Pool(token).transfer(msg.sender, out), "push failed");
        emit Swap(msg.sender, msg.value, 0, 0, out);
    }

    function swapTokenForEth(uint256 amountIn, uint256 minOut) external returns (uint256 out) {
        out = getAmountOut(amountIn, reserveToken, reserveEth);
        require(out >= minOut && out > 0, "slippage");
        require(IERC20Pool(token).transferFrom(msg.sender, address(this), amountIn), "pull failed");
        reserveToken += amountIn;
        reserveEth -= out;
        (bool ok, ) = msg.sender.call{value: out}("");
        require(ok, "eth transfer failed");
        emit Swap(msg.sender, 0, amountIn, out, 0);
    }
}
