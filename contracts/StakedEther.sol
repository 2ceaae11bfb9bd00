// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title StakedEther
/// @notice A non-rebasing liquid-staking token like Lido's wstETH-wrapped stETH: `submit()` stakes the
/// ETH sent and mints the same number of shares to the sender (Transfer from address(0)).
contract StakedEther {
    string public constant name = "Liquid staked Ether 2.0";
    string public constant symbol = "stETH";
    uint8 public constant decimals = 18;
    uint256 public totalSupply;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event Submitted(address indexed sender, uint256 amount);

    /// @notice Stakes msg.value and mints as many shares to the sender.
    function submit() public payable returns (uint256) {
        require(msg.value > 0, "zero deposit");
        totalSupply += msg.value;
        balanceOf[msg.sender] += msg.value;
        emit Submitted(msg.sender, msg.value);
        emit Transfer(address(0), msg.sender, msg.value);
        return msg.value;
    }

    receive() external payable {
        submit();
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        require(allowed >= value, "allowance");
        if (allowed != type(uint256).max) {
            allowance[from][msg.sender] = allowed - value;
        }
        _transfer(from, to, value);
        return true;
    }

    function _transfer(address from, address to, uint256 value) internal {
        require(balanceOf[from] >= value, "balance");
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
