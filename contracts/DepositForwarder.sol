// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

interface IERC20Minimal {
    function balanceOf(address owner) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
}

/// @title DepositForwarder
/// @notice One customer's deposit address at an exchange. It accepts ETH and tokens; the exchange's
/// operator sweeps the whole balance to the exchange's hot wallet, as exchange sweepers do.
contract DepositForwarder {
    address public immutable hotWallet;
    address public immutable operator;

    event Swept(address indexed asset, uint256 amount);

    constructor(address hotWallet_) {
        hotWallet = hotWallet_;
        operator = msg.sender;
    }

    receive() external payable {}

    /// @notice Sends the whole ETH balance to the hot wallet.
    function sweep() external {
        require(msg.sender == operator, "not operator");
        uint256 amount = address(this).balance;
        (bool ok, ) = hotWallet.call{value: amount}("");
        require(ok, "sweep failed");
        emit Swept(address(0), amount);
    }

    /// @notice Sends the whole balance of `token` to the hot wallet.
    function sweepToken(address token) external {
        require(msg.sender == operator, "not operator");
        uint256 amount = IERC20Minimal(token).balanceOf(address(this));
        require(IERC20Minimal(token).transfer(hotWallet, amount), "sweep failed");
        emit Swept(token, amount);
    }
}
